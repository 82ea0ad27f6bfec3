"""bench.audit_chain's log is the chain append() writes: each entry linked to the one before and
hashed over its content, so the full check it times is the real one, from the first entry."""

from __future__ import annotations

from bench.audit_chain import chained
from jubao.audit import GENESIS, entry_hash


def test_the_bulk_loaded_log_is_one_intact_chain():
    rows, last = chained(5)
    previous = GENESIS
    for row in rows:
        assert row["prev_hash"] == previous
        content = (row["at"], row["actor"], row["action"], row["subject"], row["detail"])
        assert row["hash"] == entry_hash(previous, *content)  # type: ignore[arg-type]
        previous = row["hash"]
    assert last == previous and len({row["hash"] for row in rows}) == 5
