"""Reading a report's evidence for staff: the items in the order they came, one item of one
report, and its stored file — never a path outside JUBAO_MEDIA_DIR, whatever the row says."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Evidence

# Served inline under their own type; anything else is a download (a stored text/html or SVG
# must never run as a page of the console).
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "audio/amr", "audio/speex",
     "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "video/mp4", "video/webm"}
)  # fmt: skip


async def evidence_of(session: AsyncSession, report_id: int) -> list[Evidence]:
    rows = await session.scalars(
        select(Evidence).where(Evidence.report_id == report_id).order_by(Evidence.id)
    )
    return list(rows)


async def evidence_item(session: AsyncSession, report_id: int, evidence_id: int) -> Evidence | None:
    """The item, if it belongs to that report."""
    return await session.scalar(
        select(Evidence).where(Evidence.id == evidence_id, Evidence.report_id == report_id)
    )


def stored_file(media_dir: str, evidence: Evidence) -> Path | None:
    """The item's file under `media_dir`, or None: not stored (yet), missing, or a path that
    would lead outside the folder."""
    if evidence.download_status != "stored" or not evidence.path:
        return None
    root = Path(media_dir).resolve()
    target = (root / evidence.path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def served_type(content_type: str | None) -> tuple[str, bool]:
    """(the Content-Type to serve, whether inline) for a stored content type."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in INLINE_TYPES:
        return kind, True
    return "application/octet-stream", False
