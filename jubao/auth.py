"""Staff accounts and API tokens: Argon2id passwords, bearer tokens stored as SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime
from jubao.middlewares import ApiError
from jubao.roles import Role


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    town: Mapped[str | None] = mapped_column(String(64))
    wework_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP secret (pyotp base32), encrypted like identity data; None = no second factor.
    totp_secret_enc: Mapped[str | None] = mapped_column(Text)
    # The last TOTP time step accepted: a code of that step or an earlier one is refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AccountError(ValueError):
    """A user cannot be made or found as asked; the message says why, for the operator, and
    `chinese` says it for the console's admin."""

    def __init__(self, message: str, chinese: str = "") -> None:
        super().__init__(message)
        self.chinese = chinese or message


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher().hash, password)


async def password_matches(stored_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash is of older parameters (or not Argon2id) and should be made anew."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


async def add_user(
    session: AsyncSession,
    username: str,
    role: str,
    password: str,
    *,
    town: str | None,
    wework_id: str | None,
    now: datetime,
) -> User:
    """A new account; `town` and `wework_id` are taken as given (complaints/staff_accounts.py
    checks them against the registry)."""
    if not username.strip() or username != username.strip() or len(username) > 64:
        raise AccountError(
            "a user name is 1 to 64 characters, without surrounding spaces",
            "用户名应为1至64个字符，前后不能有空格",
        )
    if role not in set(Role):
        raise AccountError(f"unknown role {role!r}; one of {', '.join(Role)}", f"没有角色“{role}”")
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters", "密码至少8个字符")
    if await session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(f"user {username!r} exists", f"用户名“{username}”已存在")
    if wework_id and await session.scalar(select(User.id).where(User.wework_id == wework_id)):
        raise AccountError(
            f"another user has wework_id {wework_id!r}",
            f"企业微信账号“{wework_id}”已被其他用户使用",
        )
    user = User(
        username=username,
        role=role,
        town=town or None,
        wework_id=wework_id or None,
        password_hash=await hash_password(password),
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(session: AsyncSession, username: str, now: datetime) -> str:
    user_id = await session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise AccountError(f"no user {username!r}")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=_token_hash(token), created_at=now))
    await session.flush()
    return token


@dataclass(frozen=True)
class Staff:
    """Who is asking: what the permission checks need of a user."""

    username: str
    role: Role
    town: str | None
    wework_id: str | None


def staff(user: User) -> Staff:
    return Staff(user.username, Role(user.role), user.town, user.wework_id)


async def staff_for_token(session: AsyncSession, token: str) -> Staff | None:
    user = await session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _token_hash(token))
    )
    return staff(user) if user else None


def bearer_token(request: web.Request) -> str:
    """The token of `Authorization: Bearer TOKEN`, or a 401 API error (no database asked)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "需要有效的访问令牌（Authorization: Bearer …）")
    return token.strip()


async def bearer_staff(session: AsyncSession, token: str) -> Staff:
    """The staff member a bearer token belongs to, in the request's session, or a 401."""
    found = await staff_for_token(session, token)
    if found is None:
        raise ApiError(401, "unauthorized", "访问令牌无效")
    return found
