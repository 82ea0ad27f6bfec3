"""jubao: the composition root (configuration, database, app factory, CLI)."""
