"""Retention with a controlled clock: five years after a report is finished (closed, or rejected)
its reporter's identity and his reward claim are erased, each erasure audited; his query code no
longer opens it; the statistics count it as before; a report still open keeps everything."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from complaints.models import Report
from complaints.registry import load_registry
from complaints.registry_data import RegistryError
from complaints.registry_file import parse_registry
from jubao.audit import AuditEntry, verify
from jubao.cli import main
from rewards.models import Reward
from rewards.retention import ERASED, erase_expired
from tests.conftest import TEST_KEY
from tests.jubao.test_identity_at_rest import OPENID, PAY, named_report_queried_and_claimed

YEAR = timedelta(days=365)


async def identities(sessions) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(Report.number, Report.reporter_openid_enc, Report.reporter_openid_hash,
                   Report.reporter_name_enc, Report.reporter_phone_enc, Report.query_code_hash)
        )  # fmt: skip
        return {row[0]: tuple(row[1:]) for row in rows}


async def payee(sessions) -> tuple:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        reward = await session.scalar(select(Reward))
        return (reward.payee_name_enc, reward.payee_id_enc, reward.payee_bank_enc,
                reward.payee_account_enc)  # fmt: skip


async def test_five_years_after_closing_the_identity_and_claim_are_erased_and_audited(
    wechat, staff, sessions, clock
):
    code = await named_report_queried_and_claimed(wechat, staff)
    closed = (await staff.get("/api/v1/reports", "wang"))[1]["items"][0]["number"]
    paid = await staff.post(f"/api/v1/rewards/{closed}/actions", "qian", {"action": "pay", **PAY})
    assert paid[0] == 200
    rejected = await wechat.file_report("o-rejected", name="李四", phone="13800001111")
    await staff.act(rejected.number, "wang", "reject", reason="no_facts", note="无具体事实")
    still_open = await wechat.file_report("o-open", name="赵五", phone="13700002222")

    clock.advance(5 * YEAR)  # 2031-11-26: one leap day short of five calendar years
    stats_before = (await staff.get("/api/v1/stats", "li", year="2026"))[1]
    assert (await erase_expired(sessions, clock.now())).erased == 0
    clock.advance(timedelta(days=2))
    erasure = await erase_expired(sessions, clock.now())
    assert (erasure.erased, erasure.years) == (2, 5)

    kept = await identities(sessions)
    for number in (closed, rejected.number):
        assert kept[number] == (None, None, None, None, ERASED)
    assert None not in kept[still_open.number]  # not finished: nothing erased
    assert await payee(sessions) == (None, None, None, None)
    async with sessions() as session:
        assert await verify(session) is None
        audited = await session.execute(
            select(AuditEntry.subject, AuditEntry.actor).where(
                AuditEntry.action == "identity_erase"
            )
        )
        assert sorted(audited) == sorted([(closed, "system"), (rejected.number, "system")])

    refused = await wechat.say(OPENID, f"查询 {closed} {code}")
    assert "状态" not in refused and closed not in refused.replace(f"查询 {closed}", "")
    assert "还没有提交过举报" in await wechat.say(OPENID, "查询")  # his openid is gone too
    assert (await staff.get("/api/v1/stats", "li", year="2026"))[1] == stats_before
    assert stats_before["received"] == 3 and stats_before["rewards_paid"] == 1
    assert (await erase_expired(sessions, clock.now())).erased == 0  # once only


async def test_the_registry_sets_the_years(reports, sessions, clock):
    async with sessions.begin() as session:
        await load_registry(session, parse_registry({"retention_years": 2}))
    report = await reports.advanced("closed", name="王举报", phone="13912345678")
    clock.advance(2 * YEAR + timedelta(days=1))
    erasure = await erase_expired(sessions, clock.now())
    assert (erasure.erased, erasure.years) == (1, 2)
    assert (await identities(sessions))[report.number][3] is None
    for wrong in (0, "5", 2.5, True):
        try:
            parse_registry({"retention_years": wrong})
        except RegistryError as error:
            assert "retention_years" in str(error)
        else:
            raise AssertionError(f"{wrong!r} was accepted")


def test_operators_run_it_once_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JUBAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("JUBAO_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JUBAO_IDENTITY_KEYS", TEST_KEY)
    assert main(["db", "upgrade"]) == 0
    assert main(["retention", "run", "--at", "2031-12-01T08:00:00+08:00"]) == 0
    out = capsys.readouterr().out
    assert "identity erased from 0 report(s) finished more than 5 years before 2031-12-01" in out
