"""Console hardening (issue 14, item 6) and logins per client address (item 5): every page,
asset, redirect and API answer carries the security headers, HSTS only behind https; no page
holds an inline script, a `style` attribute or block, or an event-handler attribute, so the CSP
breaks nothing; the session cookie is Secure behind https; 30 failed logins from one address in
15 minutes make it wait (429, in Chinese). The cookie's other flags, the 8-hour idle limit and
the 10-failure lock are tested in test_sign_in.py."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from console.pages import LOGIN_LIMIT, TOO_MANY_LOGINS
from jubao.app import create_app
from jubao.demo import demo_app
from jubao.headers import CSP
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "console" / "templates").glob("*.html")),
    *sorted((ROOT / "jubao" / "demo" / "templates").glob("*.html")),
    ROOT / "jubao" / "demo" / "sim" / "static" / "index.html",
]
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


@pytest.fixture
async def console(client, sessions, clock, towns, staff):  # type: ignore[no-untyped-def]
    return client


def assert_hardened(headers, https: bool = False) -> None:  # type: ignore[no-untyped-def]
    csp = headers["Content-Security-Policy"]
    assert csp == CSP and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is https


@pytest.mark.parametrize("template", PAGES, ids=lambda path: path.name)
def test_no_page_holds_inline_script_or_style(template: Path):
    assert INLINE.findall(template.read_text(encoding="utf-8")) == []


async def test_every_kind_of_answer_carries_the_headers(console):
    for path in ("/console/login", "/console/static/console.css", "/api/v1/openapi.json",
                 "/healthz", "/console/nowhere", "/api/v1/reports"):  # fmt: skip
        assert_hardened((await console.get(path)).headers)
    assert_hardened((await console.get("/console/", allow_redirects=False)).headers)  # a 303
    assert (await log_in(console)).status == 303
    for path in ("/console/", "/console/account", "/console/reports", "/console/stats"):
        response = await console.get(path)
        assert response.status == 200
        assert_hardened(response.headers)
        assert INLINE.findall(await response.text()) == []  # as rendered: charts, the QR code


async def test_the_demo_pages_carry_them_too(aiohttp_client, settings):
    demo = await aiohttp_client(demo_app(settings))
    for path in ("/", "/sim/", "/sim/static/sim.js"):
        response = await demo.get(path)
        assert response.status == 200
        assert_hardened(response.headers)
        assert INLINE.findall(await response.text()) == [] or path.endswith(".js")
    assert_hardened((await demo.get("/fake-wechat/cgi-bin/token")).headers)  # a sub-app


async def test_behind_https_hsts_is_sent_and_the_cookie_is_secure(
    aiohttp_client, settings, clock, staff
):
    https = await aiohttp_client(
        create_app(settings.replace(public_url="https://jubao.example.cn"), clock=clock)
    )
    login = await https.get("/console/login")
    assert_hardened(login.headers, https=True)
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = CSRF.search(await login.text()).group(1)  # a Secure cookie: sent by hand over http
    response = await https.post(
        "/console/login",
        data={"username": "wang", "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"jubao_login_csrf={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    cookies = response.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("jubao_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


async def test_thirty_failed_logins_from_one_address_make_it_wait(console, clock):
    for n in range(LOGIN_LIMIT):  # guesses at many names, so no one name locks
        assert (await log_in(console, f"guess-{n}", "not-the-password")).status == 401
    refused = await log_in(console)  # the right password, from the same address
    assert refused.status == 429 and TOO_MANY_LOGINS in await refused.text()
    assert (await console.get("/console/", allow_redirects=False)).status == 303  # not in
    clock.advance(timedelta(minutes=15))
    assert (await log_in(console)).status == 303


async def test_successful_logins_do_not_count(console, clock):
    for _ in range(LOGIN_LIMIT + 5):  # a shared office address signing in all morning
        assert (await log_in(console)).status == 303
