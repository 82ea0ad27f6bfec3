"""What a browser test does in the console, in a line each: sign in, submit a form by its button
and get the page it loads, take a form's CSRF token away. The fixtures (`page`, `screenshot`)
are in tests/e2e/conftest.py.

    async def test_something(page, staff, reports):
        filed = await reports.filed()
        await login(page, "wang")
        await page.goto(f"/console/reports/{filed.number}")
        loaded = await submit(page.get_by_role("button", name="受理"))
        assert loaded.status == 200
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, Response, expect

from tests.staff import PASSWORD


async def submit(button: Locator) -> Response:
    """Click a form's button and wait for the page it loads; that page's response (after any
    redirect: an action's 303 gives the report page's 200, a refusal its 403 or 422)."""
    async with button.page.expect_navigation() as navigation:
        await button.click()
    response = await navigation.value
    assert response is not None, "the form loaded no page"
    return response


async def submit_login(page: Page, username: str, password: str = PASSWORD) -> Response:
    """Type a name and a password into the login page and press 登录: the page it answers with."""
    await page.goto("/console/login")
    await page.get_by_label("用户名", exact=True).fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    return await submit(page.get_by_role("button", name="登录"))


async def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in as `username` (tests/staff.py's users share PASSWORD) and land on the dashboard."""
    response = await submit_login(page, username, password)
    assert response.status == 200, f"{username} could not sign in: {response.status}"
    await expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def form_of(page: Page, button: str) -> Locator:
    """The form whose submit button reads `button`."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


async def drop_csrf_token(form: Locator) -> None:
    """Remove the form's hidden csrf_token, as a forged form from another site would lack it."""
    await form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
