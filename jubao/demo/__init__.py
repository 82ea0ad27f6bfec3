"""`jubao demo`: a fresh SQLite database, the Zhangjiagang registry and WeChat test credentials."""

from __future__ import annotations

import asyncio
import tempfile
from importlib.resources import files
from pathlib import Path

import yaml

from complaints.registry import parse_registry
from jubao.config import Settings, with_secrets

# WeChat's published test vectors for the Official Account (SPEC §2).
DEMO_MP = {
    "mp_token": "spamtest",
    "mp_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "mp_appid": "wx2c2769f8efd9abc2",
}


def demo_registry() -> dict:
    return yaml.safe_load((files("jubao.demo") / "registry.yaml").read_text(encoding="utf-8"))


def prepare_demo(settings: Settings) -> tuple[Settings, str, Path]:
    """Settings for the demo (a temporary database; JUBAO_* variables win otherwise), its
    banner with {host} and {port} left to fill in, and the temporary folder to remove after."""
    folder = Path(tempfile.mkdtemp(prefix="jubao-demo-"))
    changes: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        "demo": True,
    }
    if not settings.mp_token:
        changes.update(DEMO_MP)
    if settings.media_dir == Settings.media_dir:
        changes["media_dir"] = str(folder / "media")
    settings = with_secrets(settings.replace(**changes))
    asyncio.run(_seed(settings))
    mode = "AES safe mode" if settings.mp_aes_key else "plaintext mode"
    banner = "\n".join(
        [
            "jubao demo is running at http://{host}:{port}/",
            f"  database (temporary): {folder / 'demo.db'}",
            "  Official Account callback: http://{host}:{port}/wechat/mp " + f"({mode})",
            f"    Token: {settings.mp_token}",
            f"    EncodingAESKey: {settings.mp_aes_key or '(none)'}",
            f"    AppID: {settings.mp_appid}",
            "  health: http://{host}:{port}/healthz",
            "(Press CTRL+C to quit)",
        ]
    )
    return settings, banner, folder


async def _seed(settings: Settings) -> None:
    from jubao.cli import apply_registry

    await apply_registry(settings, parse_registry(demo_registry()))
