"""Signing in to the console as SPEC §11 settles it: CSRF on every form, the cookie's flags,
ten failed logins lock a name (answered like a wrong password), 8 idle hours end a session, an
old password hash is upgraded, and the dashboard counts what the user may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from console import forget_sign_ins
from console.models import ConsoleSession
from console.pages import COOKIE
from console.sign_in import locked
from jubao.app import create_app
from jubao.auth import User, needs_rehash
from tests.staff import PASSWORD, StaffApi

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


def test_ten_failures_within_fifteen_minutes_lock_for_fifteen_minutes():
    tries = [NOW + timedelta(minutes=i) for i in range(10)]  # 10 failures over 9 minutes
    assert locked(tries, tries[-1])
    assert locked(tries, tries[-1] + timedelta(minutes=14, seconds=59))
    assert not locked(tries, tries[-1] + timedelta(minutes=15))
    assert not locked(tries[:9], tries[-1])
    spread = [NOW + timedelta(minutes=2 * i) for i in range(10)]  # over 18 minutes
    assert not locked(spread, spread[-1])


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    return client


async def form_token(client, path: str = "/console/login") -> str:  # type: ignore[no-untyped-def]
    response = await client.get(path)
    assert response.status == 200
    return CSRF.search(await response.text()).group(1)


async def log_in(client, username: str = "wang", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = await form_token(client)
    return await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


async def test_a_console_page_without_a_session_goes_to_the_login(console):
    response = await console.get("/console/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/login"


async def test_signing_in_sets_a_safe_cookie_and_shows_the_dashboard(console, reports):
    await reports.filed()
    response = await log_in(console)
    assert response.status == 303 and response.headers["Location"] == "/console/"
    cookie = response.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("jubao_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Path=/console" in session_cookie and "Secure" not in session_cookie
    page = await (await console.get("/console/")).text()
    assert "工作台" in page and "wang · 信访办" in page
    assert re.search(r"已接收</span><span class=\"count\">1<", page)


async def test_a_form_without_its_csrf_token_is_refused(console):
    response = await console.post(
        "/console/login", data={"username": "wang", "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 403
    assert (await console.get("/console/", allow_redirects=False)).status == 303
    await log_in(console)
    assert (await console.post("/console/logout", data={}, allow_redirects=False)).status == 403
    assert (await console.get("/console/", allow_redirects=False)).status == 200  # still in


async def test_a_wrong_password_and_an_unknown_name_look_the_same(console):
    wrong = await log_in(console, "wang", "not-the-password")
    unknown = await log_in(console, "nobody", "not-the-password")
    assert wrong.status == unknown.status == 401
    assert "用户名或密码错误" in await wrong.text() and "用户名或密码错误" in await unknown.text()


async def test_ten_bad_logins_lock_the_name_like_a_wrong_password(console, clock):
    for _ in range(10):
        assert (await log_in(console, "wang", "guess")).status == 401
        clock.advance(timedelta(seconds=30))
    locked_out = await log_in(console)  # the right password
    assert locked_out.status == 401 and "用户名或密码错误" in await locked_out.text()
    clock.advance(timedelta(minutes=15))
    assert (await log_in(console)).status == 303


async def test_a_session_ends_after_eight_idle_hours_and_on_logout(console, clock):
    await log_in(console)
    clock.advance(timedelta(hours=7, minutes=59))
    assert (await console.get("/console/", allow_redirects=False)).status == 200
    clock.advance(timedelta(hours=7, minutes=59))  # used a moment ago: still in
    assert (await console.get("/console/", allow_redirects=False)).status == 200
    clock.advance(timedelta(hours=8))
    assert (await console.get("/console/", allow_redirects=False)).status == 303
    await log_in(console)
    token = await form_token(console, "/console/")
    out = await console.post("/console/logout", data={"csrf_token": token}, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"] == "/console/login"
    assert (await console.get("/console/", allow_redirects=False)).status == 303


async def test_an_old_password_hash_is_upgraded_on_login(console, sessions):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    async with sessions.begin() as session:
        await session.execute(
            update(User).where(User.username == "wang").values(password_hash=weak)
        )
    assert (await log_in(console)).status == 303
    async with sessions() as session:
        stored = await session.scalar(select(User.password_hash).where(User.username == "wang"))
    assert stored != weak and not needs_rehash(stored)


async def test_an_officer_counts_only_his_scope(console, reports):
    await reports.filed()  # 塘桥镇: zhangwei's unit
    await reports.filed(town="杨舍镇")
    await log_in(console, "zhangwei")
    page = await (await console.get("/console/")).text()
    assert re.search(r"已接收</span><span class=\"count\">1<", page)


async def test_a_failed_login_keeps_the_name_typed(console):
    page = await (await log_in(console, "wang", "not-the-password")).text()
    assert 'name="username" value="wang"' in page and 'value="not-the-password"' not in page


async def test_a_new_secret_key_ends_every_session(console, aiohttp_client, settings, clock):
    """JUBAO_SECRET_KEY keys the stored hash of every session's cookie token: an operator
    who fears a cookie was stolen sets a new key, and every session must sign in again."""
    assert (await log_in(console)).status == 303
    cookie = console.session.cookie_jar.filter_cookies(console.make_url("/console/"))[COOKIE]
    same = await aiohttp_client(create_app(settings, clock=clock))
    rotated = await aiohttp_client(
        create_app(settings.replace(secret_key="a-new-key"), clock=clock)
    )
    headers = {"Cookie": f"{COOKIE}={cookie.value}"}
    kept = await same.get("/console/", headers=headers, allow_redirects=False)
    ended = await rotated.get("/console/", headers=headers, allow_redirects=False)
    assert kept.status == 200 and "工作台" in await kept.text()  # another process, same key
    assert ended.status == 303 and ended.headers["Location"] == "/console/login"


async def test_idle_sessions_and_old_failed_logins_are_forgotten_within_the_hour(
    console, client, sessions, clock
):  # type: ignore[no-untyped-def]
    """A browser closed without 退出 leaves its session row, and a new secret key leaves every
    old one unmatched: the hourly job deletes those idle past 8 hours, and failed logins too old
    to lock a name; a session in use stays."""
    assert (await log_in(console, "nobody", "wrong-password")).status == 401  # kept: no success
    assert (await log_in(console, "zhangwei")).status == 303  # then idle
    clock.advance(timedelta(hours=7))
    assert (await log_in(console, "wang")).status == 303  # in use
    clock.advance(timedelta(hours=1, minutes=1))
    assert await forget_sign_ins(client.app) == (1, 1)
    async with sessions() as session:
        left = (await session.scalars(select(ConsoleSession.user_id))).all()
        wang = await session.scalar(select(User.id).where(User.username == "wang"))
    assert left == [wang]
    assert (await console.get("/console/", allow_redirects=False)).status == 200  # wang's
