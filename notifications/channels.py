"""The outbox channels and how a message on each is sent through the WeChat client."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from notifications.wechat_api import WeChatClient
from notifications.wechat_errors import (
    NOT_CONFIGURED,
    OUTSIDE_THE_WINDOW,
    SUBSCRIPTION_WITHDRAWN,
    WeChatError,
)


class Channel(StrEnum):
    MP_CUSTOM = "mp_custom"  # customer-service text to a citizen (48-hour window)
    MP_TEMPLATE = "mp_template"  # template message to a citizen
    MP_SUBSCRIBE = "mp_subscribe"  # subscribe message to a citizen who accepted its template
    WORK_APP = "work_app"  # WeChat Work app message to officers
    WORK_GROUP = "work_group"  # the assignment group: appchat, else the group robot


CITIZEN_CHANNELS = frozenset({Channel.MP_CUSTOM, Channel.MP_TEMPLATE, Channel.MP_SUBSCRIBE})


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, its recipient decrypted; held only while it is being sent."""

    id: int
    channel: Channel
    recipient: str | None
    text: str
    extra: dict[str, Any]


async def send(client: WeChatClient, job: Job) -> bool:
    """Send one message. False when it went nowhere (no group channel is configured).

    extra, by channel — mp_template: {"data": {...}, "template_id"?: …, "url"?: …} (the template
    id defaults to JUBAO_MP_TEMPLATE_ID); mp_custom: the same, optional, to send as a template
    message should WeChat refuse the customer-service message (45015/45047); mp_subscribe:
    the same and {"subscribe": {...}}, the subscribe template's data (JUBAO_MP_SUBSCRIBE_
    TEMPLATE_ID), sent as a template message when he has withdrawn it (43101); work_app:
    {"title", "url", "button"?} sends a text card whose description is the text, otherwise a
    text message; work_group:
    {"markdown": true} sends markdown rather than text.
    """
    settings = client.settings
    if job.channel is Channel.MP_CUSTOM:
        try:
            await client.mp_send_text(_to(job), job.text)
        except WeChatError as error:
            # The window closed (or filled) between queueing and sending, after retries or a
            # stopped worker: the notice goes as a template message when it carries the data.
            # Accepted: if an earlier attempt reached WeChat but its answer was lost, and the
            # retry is refused for the window, the citizen gets the notice twice (never none).
            if error.errcode not in OUTSIDE_THE_WINDOW or "data" not in job.extra:
                raise
            await _send_template(client, job)
    elif job.channel is Channel.MP_TEMPLATE:
        await _send_template(client, job)
    elif job.channel is Channel.MP_SUBSCRIBE:
        try:
            await client.mp_send_subscribe(
                _to(job),
                settings.mp_subscribe_template_id,
                job.extra.get("subscribe") or {},
                page=job.extra.get("url"),
            )
        except WeChatError as error:
            if error.errcode != SUBSCRIPTION_WITHDRAWN or "data" not in job.extra:
                raise
            await _send_template(client, job)
    elif job.channel is Channel.WORK_APP:
        if "title" in job.extra:
            await client.work_send_card(
                _to(job),
                title=job.extra["title"],
                description=job.text,
                url=job.extra.get("url") or settings.public_url,
                button=job.extra.get("button", "详情"),
            )
        else:
            await client.work_send_text(_to(job), job.text)
    elif settings.work_chatid:  # the group: appchat when a chat is set, never both
        await client.appchat_send(settings.work_chatid, job.text, markdown=_markdown(job))
    elif settings.work_webhook_key:
        await client.webhook_send(settings.work_webhook_key, job.text, markdown=_markdown(job))
    else:
        return False
    return True


async def _send_template(client: WeChatClient, job: Job) -> None:
    template_id = job.extra.get("template_id") or client.settings.mp_template_id
    data = job.extra.get("data") or {}
    await client.mp_send_template(
        _to(job), template_id, data, url=job.extra.get("url"), client_msg_id=f"jubao-{job.id}"
    )  # the outbox row's id: a retry of a send whose answer was lost is not sent again


def _to(job: Job) -> str:
    if not job.recipient:
        raise WeChatError(NOT_CONFIGURED, "message without a recipient", retryable=False)
    return job.recipient


def _markdown(job: Job) -> bool:
    return bool(job.extra.get("markdown"))
