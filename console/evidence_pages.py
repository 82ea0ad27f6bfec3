"""A report's evidence in the console: the items as the report page lists them (「证据材料」),
and their files at /console/reports/{number}/evidence/{id} for whoever may read the report
(404 outside his scope, and for an item of another report)."""

from __future__ import annotations

from datetime import tzinfo

from aiohttp import web

from complaints.evidence_files import evidence_item, served_type, stored_file
from complaints.models import Evidence
from complaints.vocabulary import EVIDENCE_LABELS
from console.pages import current
from console.report_scope import visible_report
from jubao.keys import SESSIONS, SETTINGS

PENDING = {"pending": "下载中", "failed": "下载失败"}


def size_label(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def evidence_items(number: str, rows: list[Evidence], tz: tzinfo) -> list[dict[str, object]]:
    """What the report page shows of each item: its kind, its file's address once stored, or
    why there is none yet."""
    items = []
    for row in rows:
        stored = row.download_status == "stored" and bool(row.path)
        items.append({
            "kind": row.kind,
            "label": EVIDENCE_LABELS.get(row.kind, row.kind),
            "url": f"/console/reports/{number}/evidence/{row.id}" if stored else "",
            "pending": PENDING.get(row.download_status, ""),
            "sha256": row.sha256 or "",
            "size": size_label(row.size),
            "content_type": row.content_type or "",
            "place": row.label or "",
            "coordinates": f"{row.latitude}, {row.longitude}" if row.latitude else "",
            "text": row.text or "",
            "at": row.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        })  # fmt: skip
    return items


async def file_view(request: web.Request) -> web.StreamResponse:
    staff, _ = await current(request)
    number, wanted = request.match_info["number"], request.match_info["id"]
    missing = web.HTTPNotFound(text=f"没有这件证据材料：{number}")
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        raise missing
    async with request.app[SESSIONS]() as session:
        row = await visible_report(session, staff, number)
        evidence = await evidence_item(session, row.report.id, int(wanted))
    path = stored_file(request.app[SETTINGS].media_dir, evidence) if evidence else None
    if evidence is None or path is None:
        raise missing
    content_type, inline = served_type(evidence.content_type)
    disposition = "inline" if inline else "attachment"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'{disposition}; filename="{path.name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )
