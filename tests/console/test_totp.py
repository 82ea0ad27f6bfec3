"""The optional TOTP second factor in the console: enrolment on 账户与安全 (a QR code, stored
only when a code confirms it), signing in with it (a missing or wrong code is a wrong password
and counts toward the lock; a used code is refused), turning it off; the secret never reaches a
log or the audit log."""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from jubao.audit import AuditEntry
from jubao.auth import User
from tests.console.test_sign_in import CSRF, form_token, log_in
from tests.staff import PASSWORD, StaffApi

SECRET_SHOWN = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
BAD_LOGIN = "用户名或密码错误"


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhao", "auditor")
    return client


async def sign_in(client, totp: str | None, username="wang", password=PASSWORD):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, "csrf_token": await form_token(client)}
    if totp is not None:
        data["totp"] = totp
    return await client.post("/console/login", data=data, allow_redirects=False)


async def shown_secret(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The secret 账户与安全 offers (as a person would type it from the page) and its CSRF."""
    page = await (await client.get("/console/account")).text()
    return SECRET_SHOWN.search(page).group(1).replace(" ", ""), CSRF.search(page).group(1)


async def enrol(client, clock) -> str:  # type: ignore[no-untyped-def]
    """wang turns TOTP on and signs out; the secret his app now holds."""
    assert (await log_in(client)).status == 303
    secret, csrf = await shown_secret(client)
    code = pyotp.TOTP(secret).at(clock.now())
    confirmed = await client.post(
        "/console/account/totp", data={"csrf_token": csrf, "totp": code}, allow_redirects=False
    )
    assert confirmed.status == 303 and confirmed.headers["Location"] == "/console/account"
    await client.post("/console/logout", data={"csrf_token": csrf})
    clock.advance(timedelta(seconds=30))  # the confirming code is spent; the next one is new
    return secret


async def stored(sessions, username="wang") -> User:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(User).where(User.username == username))


async def test_the_login_form_asks_for_the_code_for_accounts_that_have_it(console):
    page = await (await console.get("/console/login")).text()
    assert 'name="username"' in page and 'name="password"' in page and 'name="totp"' in page
    assert "一次性验证码" in page and "已启用两步验证的账号必填" in page


async def test_without_totp_the_password_alone_signs_in_and_a_code_is_ignored(console):
    assert (await sign_in(console, None)).status == 303
    assert (await sign_in(console, "123456")).status == 303
    assert (await sign_in(console, "not a code")).status == 303


async def test_the_header_links_to_the_account_page(console):
    await log_in(console)
    page = await (await console.get("/console/")).text()
    assert '<a href="/console/account"' in page


async def test_the_account_page_shows_a_qr_code_for_the_secret_and_keeps_it_on_reload(
    console, sessions
):
    await log_in(console)
    response = await console.get("/console/account")
    page = await response.text()
    assert response.status == 200 and "账户与安全" in page and "未启用" in page
    assert re.search(r"<figure class=\"qr\"><svg [^>]*>.*</svg></figure>", page, re.S)
    secret, _ = await shown_secret(console)
    assert len(secret) == 32 and re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page)
    assert (await shown_secret(console))[0] == secret  # a reload: the app already scanned works
    assert (await stored(sessions)).totp_secret_enc is None  # nothing on the user yet


async def test_a_right_code_turns_totp_on(console, sessions, clock):
    await enrol(console, clock)
    user = await stored(sessions)
    assert user.totp_secret_enc is not None and user.totp_last_step is not None
    assert (await log_in(console)).status == 401  # the password alone no longer signs in


async def test_a_wrong_confirmation_code_is_422_and_stores_nothing(console, sessions, clock):
    await log_in(console)
    secret, csrf = await shown_secret(console)
    wrong = pyotp.TOTP(secret).at(clock.now() - timedelta(minutes=5))
    response = await console.post("/console/account/totp", data={"csrf_token": csrf, "totp": wrong})
    page = await response.text()
    assert response.status == 422 and "验证码不正确" in page
    assert SECRET_SHOWN.search(page).group(1).replace(" ", "") == secret  # try again, same QR
    assert (await stored(sessions)).totp_secret_enc is None


async def test_confirming_without_the_csrf_token_is_403_and_stores_nothing(
    console, sessions, clock
):
    await log_in(console)
    secret, _ = await shown_secret(console)
    code = pyotp.TOTP(secret).at(clock.now())
    response = await console.post("/console/account/totp", data={"totp": code})
    assert response.status == 403
    assert (await stored(sessions)).totp_secret_enc is None


async def test_the_account_page_needs_a_session(console):
    for response in (
        await console.get("/console/account", allow_redirects=False),
        await console.post("/console/account/totp", data={}, allow_redirects=False),
        await console.post("/console/account/totp/disable", data={}, allow_redirects=False),
    ):
        assert response.status == 303 and response.headers["Location"] == "/console/login"


async def test_any_role_may_turn_totp_on(console, sessions, clock):
    await log_in(console, "zhao")
    secret, csrf = await shown_secret(console)
    code = pyotp.TOTP(secret).at(clock.now())
    await console.post("/console/account/totp", data={"csrf_token": csrf, "totp": code})
    assert (await stored(sessions, "zhao")).totp_secret_enc is not None


async def test_with_totp_the_right_code_signs_in_spaces_and_all(console, clock):
    secret = await enrol(console, clock)
    code = pyotp.TOTP(secret).at(clock.now())
    response = await sign_in(console, f"{code[:3]} {code[3:]}")
    assert response.status == 303 and response.headers["Location"] == "/console/"
    page = await (await console.get("/console/account")).text()
    assert "已启用" in page and "关闭两步验证" in page and "<svg" not in page


async def test_a_missing_or_wrong_code_is_answered_exactly_like_a_wrong_password(console, clock):
    secret = await enrol(console, clock)
    wrong_password = await sign_in(console, None, password="not-the-password")
    expected = (wrong_password.status, await wrong_password.text())
    assert expected[0] == 401 and BAD_LOGIN in expected[1]
    right = pyotp.TOTP(secret).at(clock.now())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for code in (None, "", wrong, "abcdef"):
        response = await sign_in(console, code)
        assert (response.status, await response.text()) == expected
    assert (await console.get("/console/", allow_redirects=False)).status == 303


async def test_a_used_code_does_not_sign_in_again(console, clock):
    secret = await enrol(console, clock)
    code = pyotp.TOTP(secret).at(clock.now())
    assert (await sign_in(console, code)).status == 303
    console.session.cookie_jar.clear()
    clock.advance(timedelta(seconds=5))
    assert (await sign_in(console, code)).status == 401  # seen over a shoulder: worthless now
    clock.advance(timedelta(seconds=30))
    assert (await sign_in(console, pyotp.TOTP(secret).at(clock.now()))).status == 303


async def test_wrong_codes_count_toward_the_lock(console, clock):
    secret = await enrol(console, clock)
    for _ in range(10):
        assert (await sign_in(console, "000000")).status == 401  # the right password
        clock.advance(timedelta(seconds=30))
    locked_out = await sign_in(console, pyotp.TOTP(secret).at(clock.now()))
    assert locked_out.status == 401 and BAD_LOGIN in await locked_out.text()
    clock.advance(timedelta(minutes=15))
    assert (await sign_in(console, pyotp.TOTP(secret).at(clock.now()))).status == 303


async def disable(client, code: str, *, csrf: bool = True):  # type: ignore[no-untyped-def]
    data = {"totp": code}
    if csrf:
        data["csrf_token"] = await form_token(client, "/console/account")
    return await client.post("/console/account/totp/disable", data=data, allow_redirects=False)


async def test_a_current_code_turns_totp_off(console, sessions, clock):
    secret = await enrol(console, clock)
    assert (await sign_in(console, pyotp.TOTP(secret).at(clock.now()))).status == 303
    clock.advance(timedelta(seconds=30))
    assert (await disable(console, pyotp.TOTP(secret).at(clock.now()), csrf=False)).status == 403
    refused = await disable(console, "000000")
    assert refused.status == 422 and "验证码不正确" in await refused.text()
    assert (await stored(sessions)).totp_secret_enc is not None
    response = await disable(console, pyotp.TOTP(secret).at(clock.now()))
    assert response.status == 303 and response.headers["Location"] == "/console/account"
    assert (await stored(sessions)).totp_secret_enc is None
    console.session.cookie_jar.clear()
    assert (await sign_in(console, None)).status == 303  # the password alone again


async def test_enabling_and_disabling_are_audited_without_the_secret(
    console, sessions, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    secret = await enrol(console, clock)
    code = pyotp.TOTP(secret).at(clock.now())
    await sign_in(console, code)
    clock.advance(timedelta(seconds=30))
    await disable(console, pyotp.TOTP(secret).at(clock.now()))
    async with sessions() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [(e.actor, e.action, e.subject) for e in entries] == [
        ("wang", "totp_enable", "wang"),
        ("wang", "totp_disable", "wang"),
    ]
    assert "/console/account/totp" in caplog.text  # the requests were logged
    for text in [e.detail for e in entries] + [caplog.text]:
        assert secret not in text and html.escape(secret) not in text and code not in text


async def test_confirming_before_any_qr_code_was_shown_is_422(console, sessions):
    await log_in(console)
    csrf = await form_token(console, "/console/")
    response = await console.post("/console/account/totp", data={"csrf_token": csrf, "totp": "1"})
    assert response.status == 422 and "二维码已失效" in await response.text()
    assert (await stored(sessions)).totp_secret_enc is None
