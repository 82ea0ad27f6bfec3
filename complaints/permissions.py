"""Who may take which action on a report (SPEC §7), derived from the lifecycle's table so the
permission table (jubao/permissions.py) and `decide` cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from complaints.lifecycle import TRANSITIONS, Action
from jubao.roles import Role


@dataclass(frozen=True)
class ActionPermission:
    roles: frozenset[Role]  # these roles, on any report of their scope
    assignee: bool  # and the officer the report is assigned to (no other officer)

    def allows(self, role: Role, *, assigned: bool) -> bool:
        return role in self.roles or (self.assignee and role == Role.OFFICER and assigned)


REPORT_ACTIONS: dict[Action, ActionPermission] = {
    action: ActionPermission(transition.roles, transition.assignee_acts)
    for action, transition in TRANSITIONS.items()
}
