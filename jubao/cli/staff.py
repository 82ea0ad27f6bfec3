"""`jubao user add`, `jubao user reset-totp`, `jubao token create` and `jubao audit verify`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from complaints.staff_accounts import NewAccount, add_staff
from jubao import audit, audit_checks, auth, second_factor
from jubao.cli.errors import say_error
from jubao.cli.prepared import prepared
from jubao.config import load_settings


async def _add(args: argparse.Namespace, password: str) -> NewAccount:
    async with prepared(load_settings()) as built, built.sessions.begin() as session:
        return await add_staff(
            session,
            args.name,
            args.role,
            password,
            town=args.town,
            wework_id=args.wework_id,
            now=built.clock.now(),
        )


def user_add(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        account = asyncio.run(_add(args, password))
    except auth.AccountError as error:
        say_error(f"user add: {error}")
        return 1
    for warning in account.warnings:
        say_error(f"warning: {warning}")
    print(f"user {account.user.username} added as {account.user.role}")
    return 0


async def _reset_totp(name: str) -> None:
    async with prepared(load_settings()) as built, built.sessions.begin() as session:
        await second_factor.reset(session, name, actor="cli", now=built.clock.now())


def user_reset_totp(args: argparse.Namespace) -> int:
    try:
        asyncio.run(_reset_totp(args.name))
    except auth.AccountError as error:
        say_error(f"user reset-totp: {error}")
        return 1
    print(f"TOTP of {args.name} turned off; the password alone signs in until it is set up again")
    return 0


async def _token(name: str) -> str:
    async with prepared(load_settings()) as built, built.sessions.begin() as session:
        return await auth.create_token(session, name, built.clock.now())


def token_create(args: argparse.Namespace) -> int:
    try:
        token = asyncio.run(_token(args.name))
    except auth.AccountError as error:
        say_error(f"token create: {error}")
        return 1
    print(token)
    return 0


async def _verify() -> audit.Broken | None:
    """Every entry, the outcome recorded for the console's audit page (jubao/audit_checks.py)."""
    async with prepared(load_settings()) as built, built.sessions.begin() as session:
        return (await audit_checks.full_check(session, built.clock.now())).broken


def audit_verify(args: argparse.Namespace) -> int:
    broken = asyncio.run(_verify())
    if broken is None:
        print("audit chain intact")
        return 0
    say_error(f"audit chain broken at entry {broken.entry_id}: {broken.reason}")
    return 1
