"""What an operator sees when a command fails: one line on stderr and an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from jubao.config import ConfigError
from jubao.db import DatabaseUnavailable


def say_error(text: str) -> None:
    print(f"jubao: {text}", file=sys.stderr)


def run_command(
    command: Callable[[argparse.Namespace], int | None], args: argparse.Namespace
) -> int:
    """Run one command; configuration errors exit 2, an unusable database exits 1."""
    try:
        return command(args) or 0
    except ConfigError as error:
        say_error(f"configuration: {error}")
        return 2
    except DatabaseUnavailable as error:
        say_error(str(error))
        return 1
    except (DBAPIError, OSError) as error:  # the database went away in the middle
        say_error(f"database error: {DatabaseUnavailable.reason(error)}")
        return 1
    except SQLAlchemyError as error:
        say_error(f"database error: {type(error).__name__}")
        return 1
    except KeyboardInterrupt:
        return 130
