"""A transaction on a pooled PostgreSQL connection, outside SQLAlchemy's execution.

PostgreSQL's counterpart of jubao/sqlite/own_connection.py, for the bot's quick path
(bot/intake.py: QuickIntake). The connection is checked out of the engine's own pool (no second
pool, no second session per message), and the transaction runs on its asyncpg connection:
BEGIN, the statements (each prepared once per connection by asyncpg and kept), COMMIT.

SQLAlchemy does not see these statements, so it cannot notice a connection that died under
them: after a connection-level failure (the server restarted, the network cut) the connection
is invalidated here, and the pool opens a fresh one for the next checkout.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from jubao.outage import is_outage
from jubao.raw_sql import AsyncpgRaw, RawTransaction

log = logging.getLogger(__name__)


class PooledTransactions:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[RawTransaction]:
        """Commits when the block ends (rolls back if it set `keep = False`) and rolls back
        when it raises; a connection that failed is invalidated, not returned to the pool."""
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            started, open_ = driver.transaction(), False
            try:
                await started.start()
                open_ = True
                transaction = RawTransaction(AsyncpgRaw(driver))
                yield transaction
                open_ = False  # COMMIT or ROLLBACK ends it, even if it fails
                if transaction.keep:
                    await started.commit()
                else:
                    await started.rollback()
            except BaseException as error:
                broken = is_outage(error)
                if open_ and not broken:
                    try:
                        await started.rollback()
                    except Exception:
                        broken = True
                if broken:
                    await connection.invalidate()
                    log.warning("PostgreSQL: a pooled connection failed; it is replaced")
                raise

    async def close(self) -> None:
        return None  # the engine (and its pool) belongs to the app
