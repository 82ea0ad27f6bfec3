"""The browser tests' fixtures: Debian's Chromium (/usr/bin/chromium, headless), driven by
Playwright's async API, against the `client` fixture's app — which listens on a real loopback
port in the test's own event loop, on SQLite and on PostgreSQL like every `client` test.

Chromium is started for each test. pytest-asyncio runs a test and its function-scoped async
fixtures (the database, the app) in an event loop of their own, and Playwright's connection
belongs to the loop it was started in: a browser kept for the module could not reach the test's
app. A start costs about half a second. Each test gets a fresh context (cookies, storage): a
laptop's 1366x800 viewport, zh-CN, Asia/Shanghai.

Screenshots (the `screenshot` fixture, and one of every failing test's page) are written to
test-output/screenshots/ at the repository's root."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
VIEWPORT = {"width": 1366, "height": 800}
TIMEOUT_MS = 10_000  # actions and `expect`: what has not happened by then will not
_saved: list[Path] = []
_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _saved:
        terminalreporter.write_line(f"browser screenshots: {len(_saved)} in {SCREENSHOTS}")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. Install it with "
            "`apt-get install chromium fonts-noto-cjk` (.ci/run does); never `playwright install`.",
            pytrace=False,
        )
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser, client, request: pytest.FixtureRequest) -> AsyncIterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh tab on the test's app: `page.goto("/console/login")` opens the login page."""
    context = await browser.new_context(
        base_url=str(client.make_url("/")).rstrip("/"),
        viewport=VIEWPORT,  # type: ignore[arg-type]
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = await context.new_page()
    yield tab
    if request.node.stash.get(_FAILED, False):
        await _save(tab, f"failed-{_slug(request.node.name)}")
    await context.close()


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest) -> Callable[[str], Awaitable[Path]]:
    """`await screenshot("dashboard")`: the whole page as test-output/screenshots/
    dashboard-sqlite.png (or -postgres), to look at."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("database_url", "") if callspec else ""

    async def save(name: str) -> Path:
        return await _save(page, f"{name}-{backend}" if backend else name)

    return save


async def _save(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    _saved.append(path)
    return path


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
