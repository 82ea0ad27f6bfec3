"""`jubao keys rotate`, as the operator who adds a new key meets it: old keys keep reading
until the run is done, a run killed half-way resumes where it stopped, and the counts say what
was done."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from complaints.models import Report
from jubao.cli.keys import rotate_all
from jubao.identity import IdentityVault
from tests.conftest import TEST_KEY

NEW_KEY = Fernet.generate_key().decode()


class Killed(Exception):
    """The process dies after a committed batch."""


async def stored_tokens(sessions) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(Report.reporter_openid_enc, Report.reporter_name_enc, Report.reporter_phone_enc)
        )
        return [tuple(row) for row in rows]


async def test_a_killed_rotation_resumes_and_old_keys_read_until_it_is_done(reports, sessions):
    for n in range(5):
        await reports.filed(openid=f"o-rot-{n}", name="王举报", phone=f"1391234567{n}")
    both = IdentityVault((NEW_KEY, TEST_KEY))
    newest_only = IdentityVault((NEW_KEY,))
    seen: list[tuple[str, int, int]] = []

    def die_after_two_batches(table: str, done: int, total: int) -> None:
        seen.append((table, done, total))
        if table == "reports" and done >= 4:
            raise Killed

    with pytest.raises(Killed):
        await rotate_all(sessions, both, batch=2, progress=die_after_two_batches)
    assert ("reports", 2, 5) in seen and ("reports", 4, 5) in seen  # the bar moved per batch
    tokens = await stored_tokens(sessions)
    # Half-way: both keys still read every row; the newest alone only the rotated ones.
    assert sorted(both.decrypt(phone) for _, _, phone in tokens) == [
        f"1391234567{n}" for n in range(5)
    ]
    assert sum(newest_only.is_current(openid) for openid, _, _ in tokens) == 4

    resumed = await rotate_all(sessions, both, batch=2)
    assert (resumed["reports"].rows, resumed["reports"].current) == (1, 4)
    for openid, name, phone in await stored_tokens(sessions):
        assert newest_only.decrypt(name) == "王举报"
        assert newest_only.decrypt(openid).startswith("o-rot-") and phone
    again = await rotate_all(sessions, both, batch=2)
    assert again["reports"].rows == 0 and again["reports"].current == 5
    assert sum(tally.rows for tally in again.values()) == 0  # a finished rotation changes nothing
