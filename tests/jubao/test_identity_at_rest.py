"""A named whistleblower files a report, asks after it with his query code and claims his reward,
over the real callbacks; then nothing he typed that identifies him is in clear anywhere: not in
the SQLite file's bytes (WAL included), not in a pg_dump of the PostgreSQL database, and not in
the logs of the whole flow with every logger at DEBUG."""

from __future__ import annotations

import io
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from jubao import logs

OPENID = "oJubaoW3xq9LmT0ZkP2vR8yHs4Nc"  # WeChat's form: o + 27
NAME, PHONE = "王举报", "13912345678"
RESIDENT_ID = "11010519491231002X"
BANK, ACCOUNT = "中国银行张家港支行", "6217888800001234"
PAY = {"method": "bank", "reference": "ZJG-PAY-0001", "paid_on": "2026-11-27"}


@pytest.fixture
def every_log() -> Iterator[io.StringIO]:
    """Every logger at DEBUG into the service's own handler (jubao.logs.handler)."""
    buffer = io.StringIO()
    handler = logs.handler(buffer)
    handler.setLevel(logging.DEBUG)
    named = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = {logger: logger.level for logger in [logging.root, *named]}
    for logger in levels:
        logger.setLevel(logging.DEBUG)
    logging.root.addHandler(handler)
    yield buffer
    logging.root.removeHandler(handler)
    for logger, level in levels.items():
        logger.setLevel(level)


async def named_report_queried_and_claimed(wechat, staff) -> str:  # type: ignore[no-untyped-def]
    filed = await wechat.file_report(OPENID, name=NAME, phone=PHONE)
    assert "状态：已接收" in await wechat.say(OPENID, f"查询 {filed.number} {filed.code}")
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    await staff.act(filed.number, "zhangwei", "take")
    await staff.act(filed.number, "zhangwei", "conclude", finding="substantiated",
                    summary="通道堵塞属实", case_filed=True, fine=100000)  # fmt: skip
    status, _ = await staff.act(filed.number, "li", "close")
    assert status == 200
    actions = f"/api/v1/rewards/{filed.number}/actions"
    assert (await staff.post(actions, "wang", {"action": "propose"}))[0] == 200
    assert (await staff.post(actions, "li", {"action": "approve"}))[0] == 200
    assert "真实姓名" in await wechat.say(OPENID, f"领奖 {filed.number} {filed.code}")
    assert "身份证号码" in await wechat.say(OPENID, NAME)
    assert "开户银行" in await wechat.say(OPENID, RESIDENT_ID)
    assert "************1234" in await wechat.say(OPENID, f"{BANK} 6217 8888 0000 1234")
    assert "领奖信息已提交" in await wechat.say(OPENID, "1")
    return filed.code


def secrets_of(code: str) -> list[str]:
    spaced_code = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    return [OPENID, NAME, PHONE, RESIDENT_ID, ACCOUNT, "6217 8888 0000 1234", code, spaced_code]


def database_bytes(database_url: str) -> bytes:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":  # every file the database wrote, WAL included
        path = Path(url.database or "")
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    dump = subprocess.run(
        ["/usr/bin/pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "--no-owner", url.database or ""],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    assert b"COPY public.reports" in dump.stdout  # the dump holds the data
    return dump.stdout


async def test_no_identity_in_clear_in_the_database_or_the_logs(
    wechat, staff, database_url, every_log
):
    code = await named_report_queried_and_claimed(wechat, staff)
    stored = database_bytes(database_url)
    written = every_log.getvalue()
    assert "/wechat/mp" in written and "INSERT INTO reports" in written  # all was captured
    for secret in secrets_of(code):
        assert secret.encode() not in stored, secret
        assert secret not in written, secret


def test_the_log_filter_blanks_identity_whoever_logs_it(every_log):
    careless = logging.getLogger("some.library")
    careless.debug("sender %s phone %s", OPENID, PHONE)
    careless.warning("id %s account %s", RESIDENT_ID, "6217 8888 0000 1234")
    careless.info("code %s", "1234 5678 9012 3456")
    try:
        raise ValueError(f"bad row ({PHONE}, {RESIDENT_ID})")
    except ValueError:
        careless.exception("failed")
    written = every_log.getvalue()
    assert written.count("[redacted]") == 7 and "ValueError" in written
    for secret in (OPENID, PHONE, RESIDENT_ID, "6217 8888 0000 1234", "1234 5678 9012 3456"):
        assert secret not in written
