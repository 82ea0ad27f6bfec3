"""Evidence media is fetched at once, stored with its hash, and retried when WeChat fails."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from complaints.models import Evidence
from jubao.app import create_app
from jubao.background import BACKGROUND
from tests.wechat_client import MpClient

PHOTO = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100


@pytest.fixture
async def citizen(aiohttp_client, api_settings, side, clock, towns):  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(api_settings.replace(scheduler=False), clock=clock))
    return MpClient(client, side, clock), client.app


async def evidence_rows(sessions) -> list[Evidence]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.scalars(select(Evidence).order_by(Evidence.id))).all())


async def test_photos_are_fetched_right_after_filing(citizen, fake_api, sessions, api_settings):
    wechat, app = citizen
    fake_api.add_media("media-o-1-0", PHOTO, "image/jpeg")
    fake_api.add_media("media-o-1-1", b"#!AMR\n" + b"voice" * 50, "audio/amr")
    await wechat.file_report("o-1", evidence=2)
    await app[BACKGROUND].run_once()

    photo, voice = await evidence_rows(sessions)
    assert photo.download_status == "stored" and photo.content_type == "image/jpeg"
    assert photo.sha256 == hashlib.sha256(PHOTO).hexdigest() and photo.size == len(PHOTO)
    stored = Path(api_settings.media_dir) / photo.path
    assert stored.read_bytes() == PHOTO and stored.suffix in (".jpg", ".jpeg")
    assert voice.download_status == "stored" and voice.path.endswith(".amr")


async def test_failures_are_retried_with_backoff(citizen, fake_api, sessions, clock):
    wechat, app = citizen
    fake_api.add_media("media-o-2-0", PHOTO, "image/jpeg")
    fake_api.fail(1.0, seed=1, kinds=("busy",))
    await wechat.file_report("o-2", evidence=1)
    await app[BACKGROUND].run_once()
    (row,) = await evidence_rows(sessions)
    assert row.download_status == "pending" and row.attempts == 1
    assert row.next_attempt_at > clock.now()

    await app[BACKGROUND].run_once()  # not due yet: nothing happens
    assert (await evidence_rows(sessions))[0].attempts == 1
    fake_api.fail(0)
    clock.advance(timedelta(minutes=10))
    await app[BACKGROUND].run_once()
    (row,) = await evidence_rows(sessions)
    assert row.download_status == "stored" and row.attempts == 2


async def test_an_unknown_media_id_fails_at_once(citizen, sessions):
    wechat, app = citizen
    await wechat.file_report("o-3", evidence=1)  # the fake never heard of this media id
    await app[BACKGROUND].run_once()
    (row,) = await evidence_rows(sessions)
    assert row.download_status == "failed" and row.last_error == "errcode 40007"


async def test_after_three_days_of_failures_it_gives_up(citizen, fake_api, sessions, clock):
    wechat, app = citizen
    fake_api.add_media("media-o-4-0", PHOTO, "image/jpeg")
    fake_api.fail(1.0, seed=1, kinds=("busy",))
    await wechat.file_report("o-4", evidence=1)
    for _ in range(80):
        clock.advance(timedelta(hours=1))
        await app[BACKGROUND].run_once()
    (row,) = await evidence_rows(sessions)
    assert row.download_status == "failed"


async def test_locations_have_nothing_to_fetch(citizen, sessions):
    wechat, app = citizen
    await wechat.say("o-5", "举报")
    await wechat.say("o-5", "1")
    await wechat.send(
        "o-5", "location", Location_X="31.8", Location_Y="120.5", Scale="15", Label="张家港市塘桥镇"
    )
    for text in ("宏达化工", "仓库里堆放大量油漆桶没有消防器材", "完成", "2", "1"):
        await wechat.say("o-5", text)
    await app[BACKGROUND].run_once()
    (row,) = await evidence_rows(sessions)
    assert row.kind == "location" and row.download_status == "none"
