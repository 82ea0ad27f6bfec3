"""Charts as inline SVG, drawn on the server (no JavaScript, no chart library): data in, markup
out. Labels are escaped and may be Chinese; the palette is console.css's navy and greys."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

INK, MUTED, LINE, BAR, TRACK = "#1f2933", "#616e7c", "#d9e2ec", "#24507f", "#f3f5f8"
FONT = 13  # px; a CJK character is about one em wide, a Latin one about half
ROW, BAR_HEIGHT = 28, 16
LABEL_MAX = 12  # characters (CJK width) before a label is shortened with …
EMPTY = "本期无数据"

Items = Sequence[tuple[str, int]]


def text_width(text: str) -> float:
    """The label's width in px at FONT, as the browser will roughly draw it."""
    return sum(FONT if unicodedata.east_asian_width(c) in "WF" else FONT * 0.6 for c in text)


def shorten(label: str, limit: float = LABEL_MAX * FONT) -> str:
    if text_width(label) <= limit:
        return label
    while label and text_width(label + "…") > limit:
        label = label[:-1]
    return label + "…"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-size="{FONT}" font-family="inherit">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _empty_note(width: int, y: float) -> str:
    return (
        f'<text x="{width / 2:.0f}" y="{y:.0f}" text-anchor="middle" fill="{MUTED}">{EMPTY}</text>'
    )


def bar_chart(items: Items, title: str, width: int = 520) -> Markup:
    """Horizontal bars, one row per (label, count), the count at the bar's end."""
    labels = [shorten(label) for label, _ in items]
    label_width = max((text_width(label) for label in labels), default=0) + 12
    largest = max((count for _, count in items), default=0)
    room = width - label_width - 48  # the bars' full length; the rest is the count
    body = []
    for row, (label, (_, count)) in enumerate(zip(labels, items, strict=True)):
        y = row * ROW
        length = room * count / largest if largest else 0
        body += [
            f'<text x="{label_width - 10:.0f}" y="{y + 18}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>",
            f'<rect x="{label_width:.0f}" y="{y + 6}" width="{room:.0f}" height="{BAR_HEIGHT}" '
            f'rx="3" fill="{TRACK}"/>',
            f'<rect x="{label_width:.0f}" y="{y + 6}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" rx="3" fill="{BAR}"/>',
            f'<text x="{label_width + length + 6:.0f}" y="{y + 18}" fill="{INK}" '
            f'font-weight="600">{count}</text>',
        ]
    height = max(len(items), 1) * ROW + 4
    if not largest:
        body.append(_empty_note(width, height / 2 + 4))
    return _svg(width, height, title, body)


def column_chart(items: Items, title: str, width: int = 560, height: int = 220) -> Markup:
    """Vertical columns, one per (label, count) — the months of a year — with a baseline."""
    top, bottom, left = 22, 26, 8
    plot = height - top - bottom
    largest = max((count for _, count in items), default=0)
    slot = (width - 2 * left) / max(len(items), 1)
    column = min(slot * 0.6, 36)
    baseline = top + plot
    body = [
        f'<line x1="{left}" y1="{baseline}" x2="{width - left}" y2="{baseline}" stroke="{LINE}"/>'
    ]
    for index, (label, count) in enumerate(items):
        middle = left + slot * index + slot / 2
        tall = plot * count / largest if largest else 0
        body += [
            f'<rect x="{middle - column / 2:.1f}" y="{baseline - tall:.1f}" width="{column:.1f}" '
            f'height="{tall:.1f}" rx="3" fill="{BAR}"/>',
            f'<text x="{middle:.1f}" y="{baseline - tall - 6:.1f}" text-anchor="middle" '
            f'fill="{INK}" font-weight="600">{count}</text>',
            f'<text x="{middle:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(shorten(label, slot))}</text>",
        ]
    if not largest:
        body.append(_empty_note(width, top + plot / 2))
    return _svg(width, height, title, body)
