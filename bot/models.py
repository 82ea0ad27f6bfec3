"""What the bot keeps of a dialogue in progress (the message log is notifications's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime


class Dialogue(Base):
    """A citizen's dialogue in progress; the whole state is one encrypted JSON document.

    Read and written on every message by its key alone: on SQLite the rows live in the key's
    own B-tree (WITHOUT ROWID), and `updated_at` has no index (the purge of idle dialogues,
    once a minute, reads this small table whole).
    """

    __tablename__ = "dialogues"
    __table_args__ = ({"sqlite_with_rowid": False},)

    openid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    state_enc: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
