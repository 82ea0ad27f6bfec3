"""Every table, gathered on one metadata (for migrations and tests)."""

from __future__ import annotations

import bot.models
import complaints.models
import complaints.registry
import complaints.registry_models
import console.models
import jubao.audit
import jubao.audit_checks
import jubao.auth
import jubao.rate_limits
import notifications.message_log
import notifications.models
import notifications.subscriptions
import rewards.models
from jubao.db import Base

metadata = Base.metadata

__all__ = ["bot", "complaints", "console", "jubao", "metadata", "notifications", "rewards"]
