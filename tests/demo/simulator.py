"""The demo as the simulator's browser sees it: `demo_app` seeded as `jubao demo` seeds it, on
a real port (its fake WeChat API is reached over loopback), and the simulator's event stream
read as a browser's EventSource reads it."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo import DEMO_FAKE, DEMO_WORK, FAKE_API_PATH, demo_app, seed

Event = dict[str, Any]
WAIT_SECONDS = 15  # how long a test waits for an event before it fails (not a speed target)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_settings(settings: Settings, port: int) -> Settings:
    base = f"http://127.0.0.1:{port}"
    return settings.replace(
        mp_api_base=base + FAKE_API_PATH,
        work_api_base=base + FAKE_API_PATH,
        public_url=base,
        **DEMO_WORK,
        **DEMO_FAKE,
    )


async def start_demo(aiohttp_client: Any, settings: Settings) -> tuple[TestClient, dict[str, str]]:
    """The demo app, seeded like `jubao demo`; its client and the staff's API tokens."""
    port = free_port()
    configured = demo_settings(settings, port)
    tokens = await seed(configured)
    client = await aiohttp_client(TestServer(demo_app(configured, clock=Clock()), port=port))
    return client, tokens


class Stream:
    """The simulator's Server-Sent Events, as a browser's EventSource receives them."""

    def __init__(self, client: TestClient) -> None:
        self.client, self.events, self.last = client, [], 0

    async def until(self, wanted: Callable[[Event], bool]) -> Event:
        """Read on until an event `wanted` comes; the events read are kept in `events`."""
        for event in self.events:
            if wanted(event):
                return event
        async with asyncio.timeout(WAIT_SECONDS):
            response = await self.client.get(
                "/sim/events", headers={"Last-Event-ID": str(self.last)}
            )
            assert response.headers["Content-Type"] == "text/event-stream"
            try:
                buffer = ""
                async for chunk in response.content.iter_any():
                    buffer += chunk.decode()
                    while "\n\n" in buffer:
                        block, buffer = buffer.split("\n\n", 1)
                        event = _parse(block)
                        if event is None:
                            continue
                        self.events.append(event)
                        self.last = event["seq"]
                        if wanted(event):
                            return event
            finally:
                response.close()
        raise AssertionError("the stream ended")


def _parse(block: str) -> Event | None:
    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
    if "data" not in fields:
        return None  # a keep-alive comment
    event = json.loads(fields["data"])
    assert int(fields["id"]) == event["seq"]
    return event
