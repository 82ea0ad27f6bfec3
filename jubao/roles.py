"""Staff roles (SPEC §4). Deny by default: every permission names the roles it allows."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DISPATCHER = "dispatcher"  # petition office: triage, assign, track
    OFFICER = "officer"  # investigates, scoped to his town or unit
    LEADER = "leader"  # approves extensions, closings, rewards
    FINANCE = "finance"  # pays rewards
    AUDITOR = "auditor"  # reads the audit log (and reports, read-only)
    ADMIN = "admin"  # users and registry


READ_REPORTS = frozenset({Role.DISPATCHER, Role.LEADER, Role.AUDITOR, Role.OFFICER})
REVEAL_IDENTITY = frozenset({Role.DISPATCHER, Role.LEADER})
READ_STATS = frozenset({Role.DISPATCHER, Role.LEADER, Role.AUDITOR, Role.ADMIN})
TAKE_CALLS = frozenset({Role.DISPATCHER})  # intake on a caller's behalf (hotline, visit, ...)
READ_REWARDS = frozenset({Role.DISPATCHER, Role.LEADER, Role.FINANCE, Role.AUDITOR})
READ_AUDIT = frozenset({Role.AUDITOR, Role.ADMIN})
WRITE_THREAD = frozenset({Role.DISPATCHER, Role.LEADER, Role.OFFICER})  # officers: their scope
