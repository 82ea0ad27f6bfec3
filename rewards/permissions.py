"""Who may take which step of a reward (SPEC §8), derived from rewards/flow.py's MOVES: a step
no staff role may take (the reporter's claim, the system's waiver) allows no role."""

from __future__ import annotations

from jubao.roles import Role
from rewards.flow import MOVES, RewardAction

REWARD_ACTIONS: dict[RewardAction, frozenset[Role]] = {
    action: roles or frozenset() for action, (_, _, roles) in MOVES.items()
}
