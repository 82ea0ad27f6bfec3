"""What a report is filed with, as plain data: the citizen's confirmed draft (bot/) or a
caller's report taken by the petition office."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NewEvidence:
    kind: str
    media_id: str = ""
    label: str = ""
    latitude: str = ""
    longitude: str = ""


@dataclass(frozen=True)
class NewReport:
    category: str
    town: str
    place: str
    description: str
    details: str = ""
    count: int | None = None
    evidence: tuple[NewEvidence, ...] = ()
    anonymous: bool = True
    name: str = ""
    phone: str = ""
    channel: str = "wechat"  # complaints.vocabulary CHANNEL_LABELS
