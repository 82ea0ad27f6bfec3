"""`jubao registry import-enterprises FILE`: the bureau's enterprise list (CSV or XLSX) into the
registry, with a progress bar on stderr, every bad row reported, and a summary. Exit 1 when
the file cannot be read or any row failed (the good rows are imported all the same)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from complaints.enterprise_import import ImportSummary, import_enterprises
from complaints.enterprise_rows import ImportFileError
from jubao.cli.errors import say_error
from jubao.cli.prepared import prepared
from jubao.config import Settings, load_settings

WIDTH = 30


class ProgressBar:
    """`[██████░░░░]  2100/3685` redrawn in place on a terminal; a plain last line elsewhere.
    Twenty lines of our own rather than a dependency for one bar."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.drawn = stream, False
        self.live = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.live and done < total:
            return
        filled = WIDTH * done // total if total else WIDTH
        line = f"导入 [{'█' * filled}{'░' * (WIDTH - filled)}] {done}/{total}"
        if self.live:
            self.stream.write(f"\r{line}")
            self.drawn = True
        else:
            self.stream.write(f"{line}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")


async def _import(settings: Settings, content: bytes, bar: ProgressBar) -> ImportSummary:
    async with prepared(settings) as built, built.sessions.begin() as session:
        return await import_enterprises(session, content, progress=bar)


def import_file(args: argparse.Namespace) -> int:
    settings, path = load_settings(), Path(args.file)
    bar = ProgressBar(sys.stderr)
    try:
        summary = asyncio.run(_import(settings, path.read_bytes(), bar))
    except OSError as error:
        say_error(f"import-enterprises {path}: {error.strerror or error}")
        return 1
    except ImportFileError as error:
        say_error(f"import-enterprises {path}: {error}；未导入任何企业")
        return 1
    finally:
        bar.close()
    for error in summary.errors:
        print(error, file=sys.stderr)
    print(f"企业名录 {path.name}：共 {summary.total} 行，{summary.line()}")
    return 1 if summary.errors else 0
