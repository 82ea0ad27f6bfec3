"""`jubao demo`'s live reports: after the demo's seed a newcomer finds this year's work in every
status, deadlines about to fall and some already passed, a reward waiting for its reporter —
and the bureau's 2021 untouched; a demo citizen's 查询 lists his own reports."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from complaints.current_deadline import current_deadline, days_left
from complaints.lifecycle import Status
from complaints.models import Report
from jubao.cli import main
from jubao.demo import seed
from jubao.demo.citizens import DEMO_CITIZENS
from jubao.identity import IdentityVault
from rewards.models import Reward
from tests.stats.helpers import SENTENCE_2021
from tests.wechat_client import MpClient


@pytest.fixture
def database_url(tmp_path):  # type: ignore[no-untyped-def]
    """A new SQLite file, as `jubao demo` starts from (seed migrates it)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"


@pytest.fixture
async def seeded(settings, clock):  # type: ignore[no-untyped-def]
    await seed(settings, clock=clock)
    return settings


@pytest.fixture
def demo_wechat(seeded, client, side, clock):  # type: ignore[no-untyped-def]
    return MpClient(client, side, clock)


async def live_reports(sessions, clock, settings):  # type: ignore[no-untyped-def]
    year = clock.now().astimezone(settings.tz).year
    async with sessions() as session:
        return (await session.scalars(select(Report).where(Report.year == year))).all()


async def test_this_years_reports_are_in_every_status(seeded, sessions, clock):
    reports = await live_reports(sessions, clock, seeded)
    assert 10 <= len(reports) <= 14
    assert {report.status for report in reports} == {status.value for status in Status}
    assert any(report.urgent for report in reports)
    assert {report.channel for report in reports} >= {"wechat", "phone", "visit"}


async def test_deadlines_fall_within_the_week_and_some_have_passed(seeded, sessions, clock):
    now, tz = clock.now(), seeded.tz
    left = {
        report.number: days_left(current.deadline, now, tz)
        for report in await live_reports(sessions, clock, seeded)
        if (current := current_deadline(report)) is not None
    }
    assert sum(0 <= days <= 7 for days in left.values()) >= 3
    assert any(days < 0 for days in left.values())
    async with sessions() as session:
        rewards = (await session.scalars(select(Reward).where(Reward.status != "ineligible"))).all()
    notified = [reward for reward in rewards if reward.status == "notified"]
    assert [0 <= days_left(reward.collect_by, now, tz) <= 7 for reward in notified] == [True]
    assert "proposed" in {reward.status for reward in rewards}


async def test_a_demo_citizen_finds_his_own_reports_with_query(
    seeded, demo_wechat, sessions, clock
):
    vault = IdentityVault(seeded.identity_keys)
    reports = await live_reports(sessions, clock, seeded)
    for citizen in DEMO_CITIZENS:
        hashed = vault.lookup_hash(citizen.openid)
        his = {r.number for r in reports if r.reporter_openid_hash == hashed}
        reply = await demo_wechat.say(citizen.openid, "查询")
        assert len(his) >= 3
        assert {r.number for r in reports if r.number in reply} == his


def test_the_bureaus_2021_still_reads_its_sentence(seeded, database_url, monkeypatch, capsys):
    monkeypatch.setenv("JUBAO_DATABASE_URL", database_url)
    assert main(["stats", "--year", "2021"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == SENTENCE_2021
