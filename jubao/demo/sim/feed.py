"""What the simulator shows, as one ordered log of chat events: a citizen's messages and the
service's passive replies, and whatever the service sends to WeChat's API (the demo's fake
records it). Browsers follow it over Server-Sent Events; a reconnecting browser asks for what
came after the last event it saw."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

MAX_EVENTS = 5_000  # the demo runs for an afternoon; older events fall off


@dataclass(frozen=True)
class ChatEvent:
    """One bubble or card in one conversation.

    pane: "citizen" (the phone), "group" (the WeChat Work group) or "officer" (an officer's 1:1
    chat with the app); party: the citizen's openid, the group's chat id or the officer's
    wework_id; side: "user" (the person typed it) or "service" (jubao said it)."""

    pane: str
    party: str
    side: str
    kind: str  # text, image, voice, location, card, refusal
    text: str
    at: datetime
    title: str = ""
    url: str = ""
    api: str = ""  # the WeChat API that carried it, for service messages sent by API
    extra: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat().replace("+00:00", "Z")
        return data


class Feed:
    """An append-only, bounded list of events; waiters are woken by a fresh event flag."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []
        self._next = 1
        self._signal: asyncio.Event | None = None
        self.closed = False

    def publish(self, event: ChatEvent) -> ChatEvent:
        numbered = replace(event, seq=self._next)
        self._next += 1
        self.events.append(numbered)
        del self.events[:-MAX_EVENTS]
        self._wake()
        return numbered

    def after(self, seq: int) -> list[ChatEvent]:
        return [event for event in self.events if event.seq > seq]

    async def wait(self, seq: int, timeout: float) -> list[ChatEvent]:
        """Events after `seq`, waiting up to `timeout` seconds for one to come."""
        if self._signal is None:
            self._signal = asyncio.Event()
        signal = self._signal
        if not self.after(seq) and not self.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal.wait(), timeout)
        return self.after(seq)

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._signal is not None:
            self._signal.set()
            self._signal = None
