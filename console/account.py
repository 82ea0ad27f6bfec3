"""账户与安全: a signed-in user's own page, where the optional TOTP second factor is turned on
(a fresh secret shown as a QR code, stored only once a code from the app confirms it) and off
(with a current code).

The secret being enrolled waits on the console session row, encrypted like identity data: it
never leaves the server except on this page, it dies with the session, a reload shows the same
one (the app already scanned keeps working), and nothing is stored on the user before the
confirmation. A signed hidden field would send it through the browser a second time for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from console.pages import COOKIE, check_csrf, current, page
from console.sign_in import kept_session
from jubao import second_factor, totp
from jubao.auth import Staff, User
from jubao.identity import IdentityVault
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT

WRONG_CODE = "验证码不正确或已使用，请输入验证器当前显示的六位数字。"
NO_PENDING = "二维码已失效，请重新扫描本页的二维码后再输入验证码。"


@dataclass(frozen=True)
class Enrolment:
    """What the page shows: TOTP on, or the pending secret to scan."""

    enabled: bool
    qr: Markup | None = None
    secret: str = ""


def _key(request: web.Request) -> str:
    """JUBAO_SECRET_KEY, under which the session's cookie token is kept (console/sign_in.py)."""
    return request.app[SETTINGS].secret_key


async def _user(session: AsyncSession, staff: Staff) -> User:
    user = await session.scalar(select(User).where(User.username == staff.username))
    assert user is not None  # signed in: the user exists
    return user


async def _enrolment(
    session: AsyncSession, user: User, token: str | None, vault: IdentityVault, key: str
) -> Enrolment:
    """TOTP's state for the page; when it is off, the session's pending secret (made now if
    there is none yet)."""
    if second_factor.enabled(user):
        return Enrolment(enabled=True)
    kept = await kept_session(session, token, key=key)
    assert kept is not None  # signed in: the session row exists
    if kept.totp_pending_enc is None:
        kept.totp_pending_enc = vault.encrypt(totp.new_secret())
    secret = vault.decrypt(kept.totp_pending_enc)
    uri = totp.provisioning_uri(secret, user.username)
    return Enrolment(enabled=False, qr=Markup(totp.qr_svg(uri)), secret=totp.grouped(secret))


def _render(
    request: web.Request, staff: Staff, csrf: str, shown: Enrolment, message: str = ""
) -> web.Response:
    response = page(request, "account.html", staff, csrf, totp=shown, message=message)
    if message:
        response.set_status(422)
    return response


async def account_view(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    async with request.app[SESSIONS].begin() as session:
        user = await _user(session, staff)
        shown = await _enrolment(
            session, user, request.cookies.get(COOKIE), request.app[VAULT], _key(request)
        )
    return _render(request, staff, csrf, shown)


async def enable_post(request: web.Request) -> web.Response:
    """Confirms the pending secret with a code from the app, and only then stores it."""
    staff, csrf = await current(request)
    form = await check_csrf(request, csrf)
    vault, now, token = request.app[VAULT], request.app[CLOCK].now(), request.cookies.get(COOKIE)
    message = ""
    async with request.app[SESSIONS].begin() as session:
        user = await _user(session, staff)
        kept = await kept_session(session, token, key=_key(request))
        assert kept is not None
        if not second_factor.enabled(user):
            if kept.totp_pending_enc is None:
                message = NO_PENDING
            else:
                secret = vault.decrypt(kept.totp_pending_enc)
                code = str(form.get("totp", ""))
                if await second_factor.enable(session, user, secret, code, vault, now):
                    kept.totp_pending_enc = None
                else:
                    message = WRONG_CODE
        shown = await _enrolment(session, user, token, vault, _key(request))
    if message:
        return _render(request, staff, csrf, shown, message)
    raise web.HTTPSeeOther("/console/account")


async def disable_post(request: web.Request) -> web.Response:
    """Turns TOTP off with a current code."""
    staff, csrf = await current(request)
    form = await check_csrf(request, csrf)
    vault, now = request.app[VAULT], request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        user = await _user(session, staff)
        turned_off = not second_factor.enabled(user) or await second_factor.disable(
            session, user, str(form.get("totp", "")), vault, now
        )
        shown = Enrolment(enabled=True) if not turned_off else None
    if shown is not None:
        return _render(request, staff, csrf, shown, WRONG_CODE)
    raise web.HTTPSeeOther("/console/account")
