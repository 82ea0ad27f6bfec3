"""Outbox, message templates, channels and reminders — arriving in a later issue."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes and jobs of this package; none yet."""
