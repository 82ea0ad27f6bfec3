"""`kill -9` of `jubao serve` in the middle of a stream of dialogues, on SQLite and PostgreSQL:
after the restart every message that was answered 200 is in the database, every dialogue goes on
where it was, and no report number is given twice."""

from __future__ import annotations

import threading

from sqlalchemy import text

from jubao.db import make_engine
from jubao.demo.wechat import OfficialAccountSide
from tests.conftest import CLOSED_PORT
from tests.faults.processes import Citizen, Serve, environment
from tests.wechat_client import NUMBER

STEPS = ["举报", "1", "塘桥镇", "宏达化工仓库", "消防通道被油漆桶堵死。", "完成", "2", "1"]
CITIZENS = 8


async def rows(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        result = list((await connection.execute(text(sql))).all())
    await engine.dispose()
    return [tuple(row) for row in result]


async def test_kill_9_in_a_stream_of_dialogues_loses_nothing_acknowledged(
    settings, towns, side: OfficialAccountSide, tmp_path
):  # type: ignore[no-untyped-def]
    serve = Serve(environment(settings.replace(mp_api_base=CLOSED_PORT)), tmp_path)
    serve.start()
    citizens = [Citizen(side, serve.base, f"o-kill-{n}") for n in range(CITIZENS)]
    errors: list[BaseException] = []

    def talk(citizen: Citizen) -> None:
        try:
            for step in STEPS:
                citizen.say(step)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=talk, args=(c,)) for c in citizens]
    try:
        for thread in threads:
            thread.start()
        while sum(len(c.acknowledged) for c in citizens) < CITIZENS * 3 and not errors:
            threading.Event().wait(0.01)
        serve.kill()  # in the middle: requests in flight, dialogues half-way
        serve.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        serve.stop()
    assert not errors, errors
    assert any(s != 200 for c in citizens for s in c.statuses)  # some were cut by the kill

    numbers = []
    for citizen in citizens:
        assert len(citizen.replies) == len(STEPS)  # each step answered, in order, once
        assert sum("举报须知" in reply for reply in citizen.replies) == 1  # never started over
        match = NUMBER.search(citizen.replies[-1])
        assert match, citizen.replies[-1]
        numbers.append(match.group(1))
    assert len(set(numbers)) == CITIZENS
    stored = [
        number for (number,) in await rows(settings.database_url, "SELECT number FROM reports")
    ]
    assert sorted(stored) == sorted(numbers)  # one report each, numbered once

    logged = {
        msg_id
        for (msg_id,) in await rows(settings.database_url, "SELECT msg_id FROM inbound_messages")
    }
    acknowledged = {msg_id for citizen in citizens for msg_id in citizen.acknowledged}
    assert acknowledged <= logged
    assert "Traceback" not in serve.log_text()
