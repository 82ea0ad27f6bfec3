"""`jubao demo`: a fresh SQLite database, the Zhangjiagang registry, WeChat's test credentials,
and the demo's own fake WeChat API mounted on the app that `create_app` builds."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import jinja2
from aiohttp import web

from complaints.registry import load_registry, parse_registry
from complaints.registry_yaml import load_yaml
from complaints.staff_accounts import add_staff
from jubao import migrate
from jubao.app import create_app
from jubao.auth import create_token
from jubao.clock import Clock
from jubao.config import Settings, with_secrets
from jubao.demo.fake_api import FAKE_WECHAT, create_fake_api
from jubao.demo.live_reports import load_live_reports
from jubao.demo.sample_year import load_sample_year
from jubao.demo.sim import views as simulator
from jubao.keys import CLOCK
from jubao.runtime import runtime

# WeChat's published test vectors for the Official Account and WeChat Work (SPEC §2).
DEMO_WORK = {
    "work_token": "QDG6eK",
    "work_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "work_corpid": "wx5823bf96d3bd56c7",
    "work_agentid": "1000002",
}
# Secrets the demo's own fake WeChat API accepts, its group chat, and a template for the
# reporter's notices outside the 48-hour window (after the demo clock jumps, most of them).
DEMO_FAKE = {
    "mp_secret": "demo-mp-secret",
    "work_secret": "demo-work-secret",
    "work_chatid": "wrdemo-assignments",
    "mp_template_id": "demo-progress-template",
}
DEMO_PASSWORD = "jubao-demo"
DEMO_USERS = [  # username, role, wework_id (staff with one hear their notices in WeChat Work)
    ("wang", "dispatcher", "wang"),
    ("li", "leader", "li"),
    ("qian", "finance", "qian"),
    ("zhao", "auditor", None),
    ("admin", "admin", None),
    ("zhangwei", "officer", "zhangwei"),
    ("chenjianguo", "officer", "chenjianguo"),
]
FAKE_API_PATH = "/fake-wechat"
DEMO_MP = {
    "mp_token": "spamtest",
    "mp_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "mp_appid": "wx2c2769f8efd9abc2",
}


def demo_registry() -> dict:
    return load_yaml((files("jubao.demo") / "registry.yaml").read_text(encoding="utf-8"))


def demo_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """The service as `create_app` builds it, with the demo's fake WeChat API mounted (only
    here: outside the demo it answers 404); the fake is also at app[FAKE_WECHAT]."""
    app = create_app(settings, clock=clock)
    fake = create_fake_api(settings, clock=app[CLOCK])  # the demo clock's time, as the service
    app.add_subapp(FAKE_API_PATH, fake)
    app[FAKE_WECHAT] = fake[FAKE_WECHAT]  # what it received, for the simulator and tests
    simulator.mount(app, fake[FAKE_WECHAT], work_people())
    app.router.add_get("/", landing_view(landing_page(settings)))
    return app


ROLE_NAMES = {
    "dispatcher": "信访办（受理、分派、统计）",
    "leader": "分管领导（办结、延期、审批奖励）",
    "finance": "财务（支付奖励）",
    "auditor": "审计（审计日志）",
    "admin": "系统管理员（用户与登记信息）",
    "officer": "执法人员（核查）",
}


# How the simulator names the demo staff who are not registry officers.
STAFF_IN_WORK = {
    "wang": ("王主任", "信访办"),
    "li": ("李局长", "分管领导"),
    "qian": ("钱会计", "财务"),
}


def work_people() -> list[dict[str, str]]:
    """Everyone the simulator's WeChat Work can speak as: the staff with a WeChat Work id who
    are not officers, then the registry's officers."""
    staff = [
        {"wework_id": wework_id, "name": name, "unit": unit, "kind": "staff"}
        for wework_id, (name, unit) in STAFF_IN_WORK.items()
    ]
    officers = [
        {
            "wework_id": o["wework_id"],
            "name": o["name"],
            "unit": o.get("unit", ""),
            "kind": "officer",
        }
        for o in demo_registry().get("officers", [])
    ]
    return staff + officers


def landing_page(settings: Settings) -> str:
    """The demo's `/`: where to go, and the logins (the demo's passwords are public)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("jubao.demo", "templates"), autoescape=True
    )
    return environment.get_template("landing.html").render(
        url=settings.public_url.rstrip("/"),
        mp_token=settings.mp_token,
        password=DEMO_PASSWORD,
        users=[(name, ROLE_NAMES[role]) for name, role, _ in DEMO_USERS],
    )


def landing_view(html: str):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    return view


def demo_settings(settings: Settings, environ: Mapping[str, str]) -> tuple[Settings, Path]:
    """Settings for the demo: a temporary database, WeChat's test credentials and the demo's own
    fake WeChat API unless JUBAO_* variables say otherwise; and the temporary folder to
    remove afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="jubao-demo-"))
    changes: dict[str, object] = {"database_url": f"sqlite+aiosqlite:///{folder / 'demo.db'}"}
    if not settings.mp_token:
        changes.update(DEMO_MP)
    if not settings.work_token:
        changes.update(DEMO_WORK)
    if "JUBAO_MP_API_BASE" not in environ and "JUBAO_WORK_API_BASE" not in environ:
        base = f"http://{settings.host}:{settings.port}{FAKE_API_PATH}"
        changes.update(mp_api_base=base, work_api_base=base)
        changes.update({k: v for k, v in DEMO_FAKE.items() if not getattr(settings, k)})
    if "JUBAO_MEDIA_DIR" not in environ:
        changes["media_dir"] = str(folder / "media")
    if "JUBAO_PUBLIC_URL" not in environ:
        changes["public_url"] = f"http://{settings.host}:{settings.port}"
    return with_secrets(settings.replace(**changes)), folder


def banner(settings: Settings, folder: Path, tokens: dict[str, str]) -> str:
    url = f"http://{settings.host}:{settings.port}"
    mode = "AES safe mode" if settings.mp_aes_key else "plaintext mode"
    fake = settings.mp_api_base.endswith(FAKE_API_PATH)
    lines = [
        f"jubao demo is running at {url}/",
        f"  WeChat simulator: {url}/sim/ (a citizen's phone and the officers' WeChat Work)",
        f"  Staff console: {url}/console/ (the logins below)",
        f"  database (temporary): {folder / 'demo.db'}",
        f"  Official Account callback: {url}/wechat/mp ({mode})",
        f"    Token: {settings.mp_token}",
        f"    EncodingAESKey: {settings.mp_aes_key or '(none)'}",
        f"    AppID: {settings.mp_appid}",
        f"  WeChat Work callback: {url}/wechat/work",
        f"    Token: {settings.work_token}  EncodingAESKey: {settings.work_aes_key}",
        f"    CorpID: {settings.work_corpid}  AgentID: {settings.work_agentid}",
        f"  WeChat API: {settings.mp_api_base}" + (" (the demo's fake)" if fake else ""),
        f"  Staff logins (password {DEMO_PASSWORD}) and API tokens "
        f"(Authorization: Bearer …, {url}/api/v1/reports):",
        *(f"    {name:<12} {role:<10} {tokens[name]}" for name, role, _ in DEMO_USERS),
        f"  health: {url}/healthz",
        "(Press CTRL+C to quit)",
    ]
    return "\n".join(lines)


async def seed(settings: Settings, *, clock: Clock | None = None) -> dict[str, str]:
    """Migrate the new database, load the demo registry, the bureau's 2021 (for the statistics),
    the demo users and this year's live reports (current work); returns each user's API
    token. `clock`: the demo's now (the system's by default)."""
    await migrate.upgrade(settings.database_url)
    async with runtime(settings, clock=clock) as built, built.sessions.begin() as session:
        await load_registry(session, parse_registry(demo_registry()))
        now, tokens = built.clock.now(), {}
        await load_sample_year(session, settings, now)
        for name, role, wework_id in DEMO_USERS:
            await add_staff(
                session, name, role, DEMO_PASSWORD, town=None, wework_id=wework_id, now=now
            )
            tokens[name] = await create_token(session, name, now)
        await load_live_reports(session, settings, built.vault, now)
        return tokens
