"""The rules of the thread with the reporter and of internal notes (SPEC §9, §11 "Console"),
as pure functions: who may write, what text is accepted, which reports can be messaged."""

from __future__ import annotations

from enum import StrEnum

from complaints.lifecycle import Forbidden, Invalid
from jubao.roles import WRITE_THREAD

MAX_TEXT = 1000  # characters, for staff messages, notes and the reporter's replies
REPORTER = "reporter"  # the author of the reporter's replies
NOT_REACHABLE = "该举报经电话等渠道受理，无法通过微信留言"


class Kind(StrEnum):
    STAFF = "staff"  # from staff to the reporter, sent through the bot
    REPORTER = "reporter"  # the reporter's `回复 编号 内容`
    NOTE = "note"  # between staff, never sent


def may_write(role: str) -> bool:
    """Whether the role writes to reporters and notes (auditors and finance only read)."""
    return role in WRITE_THREAD


def check_writer(role: str, kind: Kind) -> None:
    if not may_write(role):
        what = "写内部备注" if kind == Kind.NOTE else "给举报人留言"
        raise Forbidden(f"您的角色不能{what}")


def clean_text(text: object, kind: Kind) -> str:
    """The text as it is kept: trimmed, 1–1,000 characters; raises Invalid otherwise."""
    what = "备注" if kind == Kind.NOTE else "留言"
    cleaned = text.strip() if isinstance(text, str) else ""
    if not cleaned:
        raise Invalid(f"{what}内容不能为空")
    if len(cleaned) > MAX_TEXT:
        raise Invalid(f"{what}内容不能超过{MAX_TEXT}字（现为{len(cleaned)}字）")
    return cleaned


def check_reachable(has_openid: bool) -> None:
    """A report taken by phone, visit or letter has no WeChat user to write to."""
    if not has_openid:
        raise Invalid(NOT_REACHABLE)
