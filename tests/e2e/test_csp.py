"""The console under its Content-Security-Policy in Chromium (issue 14, item 6): every kind of
page a user opens — sign-in, dashboard with charts, report list, a report with its forms and
thread, evidence, statistics, the account page with its QR code, the registry, the audit page —
loads and works with no CSP violation reported on the page's console, and the policy forbids
being framed."""

from __future__ import annotations

from playwright.async_api import ConsoleMessage

from tests.e2e.browser import login, submit
from tests.e2e.test_demo_tour import csp


async def test_no_page_of_the_console_breaks_its_policy(page, staff, reports):
    violations: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if csp(message.text):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", heard)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    filed = await reports.filed()
    await login(page, "wang")
    for path in ("/console/", "/console/reports", f"/console/reports/{filed.number}",
                 "/console/stats", "/console/account", "/console/rewards"):  # fmt: skip
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    await page.goto(f"/console/reports/{filed.number}")
    loaded = await submit(page.get_by_role("button", name="受理", exact=True))
    assert loaded.status == 200
    await login(page, "root")
    for path in ("/console/registry/users", "/console/registry/towns", "/console/audit"):
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
    assert violations == []
