"""Commands for staff accounts, API tokens and the audit log: `jubao user add`,
`jubao token create`, `jubao audit verify`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from jubao import audit, auth
from jubao.clock import Clock
from jubao.config import load_settings
from jubao.db import run_in_transaction
from jubao.roles import Role


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = commands.add_parser("user", help="staff accounts").add_subparsers(title="user commands")
    add = user.add_parser("add", help="add a staff account; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--town", help="limit an officer to this town")
    add.add_argument("--wework-id", help="WeChat Work user id (receives app messages)")
    add.set_defaults(run=cmd_user_add)

    token = commands.add_parser("token", help="API tokens").add_subparsers(title="token commands")
    create = token.add_parser("create", help="print a new bearer token for a user")
    create.add_argument("name")
    create.set_defaults(run=cmd_token_create)

    audit_log = commands.add_parser("audit", help="the audit log").add_subparsers(
        title="audit commands"
    )
    audit_log.add_parser("verify", help="check the audit chain").set_defaults(run=cmd_audit_verify)


def cmd_user_add(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    settings = load_settings()
    try:
        user = asyncio.run(
            run_in_transaction(
                settings.database_url,
                lambda session: auth.add_user(
                    session,
                    args.name,
                    args.role,
                    password,
                    town=args.town,
                    wework_id=args.wework_id,
                    now=Clock().now(),
                ),
            )
        )
    except auth.AccountError as error:
        print(f"jubao: user add: {error}", file=sys.stderr)
        return 1
    print(f"user {user.username} added as {user.role}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        token = asyncio.run(
            run_in_transaction(
                settings.database_url,
                lambda session: auth.create_token(session, args.name, Clock().now()),
            )
        )
    except auth.AccountError as error:
        print(f"jubao: token create: {error}", file=sys.stderr)
        return 1
    print(token)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    settings = load_settings()
    broken = asyncio.run(run_in_transaction(settings.database_url, audit.verify))
    if broken is None:
        print("audit chain intact")
        return 0
    print(f"audit chain broken at entry {broken.entry_id}: {broken.reason}", file=sys.stderr)
    return 1
