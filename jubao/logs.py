"""Logging: levels from JUBAO_LOG_LEVEL, and an access log that never prints query strings
(WeChat puts the sender's openid there)."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


def configure(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # APScheduler tells of every run at INFO (every few seconds); failures still show.
    logging.getLogger("apscheduler").setLevel(
        max(logging.WARNING, logging.getLevelName(level.upper()))
    )


class PathOnlyAccessLogger(AbstractAccessLogger):
    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status, time * 1000
        )
