"""SQLite's machinery: the inline driver (`driver`), sessions that take turns on its one
connection (`turns`), and a transaction on a connection of its own (`own_connection`) for the
bot's dialogue-only messages. PostgreSQL needs none of it."""
