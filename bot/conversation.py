"""The data of a citizen's dialogue: what he sent, what he has answered, where he is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from complaints.new_report import NewEvidence as EvidenceItem  # a draft's evidence is filed as is


class Step(StrEnum):
    CATEGORY = "category"
    TOWN = "town"
    PLACE = "place"
    DETAILS = "details"
    DESCRIPTION = "description"
    EVIDENCE = "evidence"
    IDENTITY = "identity"
    NAME = "name"
    PHONE = "phone"
    CONFIRM = "confirm"
    SUPPLEMENT = "supplement"  # adding to a filed report (补充)
    CLAIM_NAME = "claim_name"  # collecting a reward (领奖): the payee's real name
    CLAIM_ID = "claim_id"  # his resident ID number
    CLAIM_BANK = "claim_bank"  # bank and account, in one message
    CLAIM_CONFIRM = "claim_confirm"


@dataclass(frozen=True)
class Inbound:
    """A citizen's message, already parsed: text, media, location or event."""

    kind: str  # text, image, voice, video, shortvideo, location, link, event, ...
    text: str = ""
    media_id: str = ""
    label: str = ""
    latitude: str = ""
    longitude: str = ""
    event: str = ""
    event_key: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # subscribe-message events: (template id, status)


@dataclass(frozen=True)
class Draft:
    category: str = ""
    town: str = ""
    place: str = ""
    details: str = ""
    count: int | None = None  # injured (category injury) or deaths (category concealed)
    description: str = ""
    evidence: tuple[EvidenceItem, ...] = ()
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    supplement: str = ""  # the number of the report being added to
    claim: str = ""  # the number of the report whose reward is being collected
    claim_name: str = ""
    claim_id: str = ""
    claim_bank: str = ""
    claim_account: str = ""


@dataclass(frozen=True)
class Conversation:
    step: Step
    draft: Draft = field(default_factory=Draft)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Submit:
    draft: Draft


@dataclass(frozen=True)
class ListOwn:
    pass


@dataclass(frozen=True)
class QueryOne:
    number: str
    code: str


@dataclass(frozen=True)
class StartSupplement:
    """May this sender add to that report (his own, or with its query code)?"""

    number: str
    code: str | None


@dataclass(frozen=True)
class Supplement:
    """Add this text or media to the report."""

    number: str
    text: str = ""
    item: EvidenceItem | None = None


@dataclass(frozen=True)
class Objection:
    number: str
    reason: str


@dataclass(frozen=True)
class StartClaim:
    """May this sender collect that report's reward (his own, or with its query code)?"""

    number: str
    code: str | None


@dataclass(frozen=True)
class Claim:
    """Record the payee's details for the reward (stored encrypted, shown to finance only)."""

    number: str
    name: str
    resident_id: str
    bank: str
    account: str


@dataclass(frozen=True)
class Subscriptions:
    """Keep the citizen's choices in WeChat's subscribe-message popup (or settings)."""

    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rate:
    number: str
    rating: str  # complaints.feedback_rules.RATINGS


@dataclass(frozen=True)
class Urge:
    number: str


@dataclass(frozen=True)
class Reply:
    """The reporter's answer to a staff message (`回复 编号 内容`)."""

    number: str
    text: str


Effect = (
    Submit
    | ListOwn
    | QueryOne
    | StartSupplement
    | Supplement
    | Objection
    | StartClaim
    | Claim
    | Rate
    | Urge
    | Reply
    | Subscriptions
)


@dataclass(frozen=True)
class Outcome:
    conversation: Conversation | None
    reply: str = ""
    effect: Effect | None = None
