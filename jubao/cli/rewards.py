"""`jubao rewards calc`: the reward the rules in force pay for a fine, concealed deaths or a
named outcome, printed as JSON `{"amount": "15000.00", "rule": "violation 15% (national)"}`.
Bad input is one line on stderr and exit 2."""

from __future__ import annotations

import argparse
import asyncio
import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.lifecycle import GRADES
from complaints.registry_models import Town
from complaints.vocabulary import REWARD_KINDS, REWARD_OUTCOMES
from jubao.cli.errors import say_error
from jubao.cli.prepared import prepared
from jubao.config import Settings, load_settings
from rewards.rule_store import registry_rules
from rewards.rules import Amount, Outcome, reward_for

LARGEST_FINE = Decimal("9999999999.99")  # what a report's fine column holds
OPTIONS = {  # what each kind needs, and so allows
    "violation": ("fine",),
    "concealed": ("grade", "deaths"),
    "fixed": ("outcome",),
}


class Usage(ValueError):
    """The command line asks something that has no answer; the message says what."""


def calc(args: argparse.Namespace) -> int:
    try:
        outcome = outcome_from(args)
        settings = load_settings()
        result = asyncio.run(_reward(settings, outcome))
    except Usage as error:
        say_error(f"rewards calc: {error}")
        return 2
    amount, rule = (result.amount, result.rule) if result else (Decimal("0.00"), "none")
    print(json.dumps({"amount": f"{amount:.2f}", "rule": rule}, ensure_ascii=False))
    return 0


def outcome_from(args: argparse.Namespace) -> Outcome:
    """The outcome the options describe; raises Usage naming the option at fault."""
    if args.kind is None:
        raise Usage(f"--kind is required: {' | '.join(REWARD_KINDS)}")
    if args.kind not in REWARD_KINDS:
        raise Usage(f"--kind {args.kind!r} is not one of {' | '.join(REWARD_KINDS)}")
    kind, town = args.kind, _town(args.town)
    for option in ("fine", "grade", "deaths", "outcome"):
        given = getattr(args, option) is not None
        if option in OPTIONS[kind] and not given:
            raise Usage(f"--{option} is required with --kind {kind}")
        if option not in OPTIONS[kind] and given:
            raise Usage(f"--{option} does not go with --kind {kind}")
    if kind == "violation":
        return Outcome(fine=_fine(args.fine), town=town)
    if kind == "concealed":
        if args.grade not in GRADES:
            raise Usage(f"--grade {args.grade!r} is not one of {' | '.join(GRADES)}")
        return Outcome(concealed_deaths=_deaths(args.deaths), grade=args.grade, town=town)
    outcomes = [outcome.strip() for outcome in args.outcome]
    for outcome in outcomes:
        if outcome not in REWARD_OUTCOMES:
            raise Usage(f"--outcome {outcome!r} is not one of {' | '.join(REWARD_OUTCOMES)}")
    return Outcome(outcomes=frozenset(outcomes), town=town)


def _fine(text: str) -> Decimal:
    try:
        fine = Decimal(text.strip())
    except InvalidOperation:
        fine = None
    if fine is None or not fine.is_finite():
        raise Usage(f"--fine {text!r} is not an amount in yuan")
    if not 0 <= fine <= LARGEST_FINE:
        raise Usage(f"--fine {text!r} must be between 0 and {LARGEST_FINE}")
    if fine != fine.quantize(Decimal("0.01")):
        raise Usage(f"--fine {text!r} has more than two decimals")
    return fine


def _deaths(text: str) -> int:
    try:
        deaths = int(text.strip())
    except ValueError:
        raise Usage(f"--deaths {text!r} is not a whole number") from None
    if deaths < 1:
        raise Usage(f"--deaths must be at least 1, not {deaths}")
    return deaths


def _town(text: str | None) -> str | None:
    if text is None:
        return None
    if not text.strip():
        raise Usage("--town must name a town (omit it for the whole city)")
    return text.strip()


async def _reward(settings: Settings, outcome: Outcome) -> Amount | None:
    """Under the rules in force; SQLite is migrated first, PostgreSQL must be (exit 1)."""
    async with prepared(settings) as built, built.sessions() as session:
        if outcome.town is not None and not await _is_town(session, outcome.town):
            raise Usage(f"--town {outcome.town!r} is not a town of the registry")
        registry = await registry_rules(session)
    return reward_for(outcome, registry)


async def _is_town(session: AsyncSession, name: str) -> bool:
    return await session.scalar(select(Town.id).where(Town.name == name)) is not None
