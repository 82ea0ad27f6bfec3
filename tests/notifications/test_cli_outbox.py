"""`jubao outbox deliver` delivers what is due and prints the counts."""

from __future__ import annotations

from jubao.cli import main
from notifications.outbox import deliver_all, put
from notifications.wechat_api import WeChatClient
from tests.database import empty_sqlite


def test_deliver_with_nothing_due(tmp_path, monkeypatch, capsys, sqlite_template):  # type: ignore[no-untyped-def]
    url = empty_sqlite(sqlite_template, tmp_path / "cli.db")
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    assert main(["outbox", "deliver"]) == 0
    assert capsys.readouterr().out == "sent: 0, skipped: 0, retrying: 0, failed: 0\n"


async def test_deliver_everything_due(api_settings, sessions, vault, clock, fake_api):  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        for n in range(120):  # more than one batch
            await put(
                session, key=f"k{n}", channel="work_app", recipient="zhangwei", text=f"m{n}",
                vault=vault, now=clock.now(),
            )  # fmt: skip
    async with WeChatClient(api_settings, sessions, clock) as client:
        report = await deliver_all(sessions, client, vault, clock)
    assert (report.claimed, report.sent) == (120, 120)
    assert len(fake_api.sent("work_app")) == 120
