"""`jubao serve`, `jubao demo` and `jubao worker`: the long-running processes.

Each checks the database before it starts anything (reachable, schema current; SQLite is
migrated first), and binds its port before the app's background jobs start, so a taken port
or a database that is not there is one line and exit 1."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import socket
from pathlib import Path

from aiohttp import web

from jubao import logs
from jubao.app import create_app
from jubao.cli.errors import say_error
from jubao.cli.prepared import ready
from jubao.config import Settings, load_settings, with_secrets
from jubao.demo import banner, demo_app, demo_settings, seed
from jubao.heartbeat import Heartbeat
from jubao.keys import HEARTBEAT


def listen(settings: Settings, args: argparse.Namespace) -> Settings:
    return settings.replace(host=args.host or settings.host, port=args.port or settings.port)


def bound_socket(settings: Settings) -> socket.socket | None:
    """The listening socket, bound before anything starts; None (said why) if it cannot be."""
    try:
        sock = socket.create_server((settings.host, settings.port), reuse_port=False)
    except OSError as error:
        say_error(f"cannot listen on {settings.host}:{settings.port}: {error.strerror or error}")
        return None
    return sock


def run_server(app: web.Application, sock: socket.socket, banner_text: str = "") -> None:
    def say(text: str) -> None:
        print(banner_text or text, flush=True)

    web.run_app(app, sock=sock, access_log_class=logs.PathOnlyAccessLogger, print=say)


def serve(args: argparse.Namespace) -> int:
    settings = listen(with_secrets(load_settings()), args)
    sock = bound_socket(settings)
    if sock is None:
        return 1
    logs.configure(settings.log_level)
    asyncio.run(ready(settings))
    run_server(create_app(settings), sock)
    return 0


def demo(args: argparse.Namespace) -> int:
    settings, folder = demo_settings(listen(load_settings(), args), os.environ)
    try:
        sock = bound_socket(settings)
        if sock is None:
            return 1
        logs.configure(settings.log_level)
        tokens = asyncio.run(seed(settings))
        run_server(demo_app(settings), sock, banner(settings, folder, tokens))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def worker(args: argparse.Namespace) -> int:
    settings = with_secrets(load_settings()).replace(scheduler=True)
    logs.configure(settings.log_level)
    asyncio.run(ready(settings))
    heartbeat = Heartbeat(Path(args.heartbeat)) if args.heartbeat else None
    asyncio.run(work(settings, heartbeat=heartbeat))
    return 0


async def work(
    settings: Settings, stop: asyncio.Event | None = None, *, heartbeat: Heartbeat | None = None
) -> None:
    """The app's background machinery and scheduler without an HTTP site, until a signal; with
    a heartbeat, written after each background tick in which the database answered."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    app = create_app(settings)
    if heartbeat is not None:
        app[HEARTBEAT] = heartbeat
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    logging.getLogger("jubao.worker").info("worker running: sweeps, digests, deliveries")
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
