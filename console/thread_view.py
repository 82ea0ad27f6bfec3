"""What the report page shows of the thread with the reporter and of the internal notes:
oldest first, times in local time, the reporter marked 举报人 (never named)."""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Report
from complaints.thread import messages
from complaints.thread_rules import NOT_REACHABLE, Kind, may_write
from jubao.auth import Staff


async def thread_context(
    session: AsyncSession, report: Report, staff: Staff, tz: tzinfo
) -> dict[str, object]:
    """The report page's `thread`, `notes` and what the user may write there."""
    shown: dict[str, list[dict[str, str]]] = {Kind.NOTE: [], Kind.STAFF: []}
    for message in await messages(session, report.id):
        reporter = message.kind == Kind.REPORTER
        shown[Kind.NOTE if message.kind == Kind.NOTE else Kind.STAFF].append(
            {
                "kind": message.kind,
                "author": "举报人" if reporter else message.author,
                "at": message.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "text": message.text,
            }
        )
    reachable = report.reporter_openid_enc is not None
    return {
        "thread": shown[Kind.STAFF],
        "notes": shown[Kind.NOTE],
        "may_write": may_write(staff.role),
        "unreachable": "" if reachable else NOT_REACHABLE,
    }
