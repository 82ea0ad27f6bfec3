"""A report's evidence on its page: photos as thumbnails linking to the file, voice playable,
a location with its label and coordinates, a written addition, each file's SHA-256 and size,
downloads still running or failed said so; the files served only to whoever may read the
report, only for that report, and never from outside the media folder."""

from __future__ import annotations

import hashlib
import re

import pytest

from complaints import supplements
from complaints.evidence_files import stored_file
from complaints.models import Evidence
from complaints.new_report import NewEvidence
from jubao.app import create_app
from jubao.background import BACKGROUND
from tests.console.test_report_pages import report_page
from tests.console.test_sign_in import log_in
from tests.staff import StaffApi

PHOTO = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100
VOICE = b"#!AMR\n" + b"voice" * 50
EVIDENCE = (
    NewEvidence("image", media_id="m-photo"),
    NewEvidence("voice", media_id="m-voice"),
    NewEvidence("location", label="塘桥镇南京路18号", latitude="31.8651", longitude="120.6342"),
    NewEvidence("image", media_id="m-expired"),  # WeChat no longer has it
)
FILE = re.compile(r'src="(/console/reports/[^"]+/evidence/\d+)"')


@pytest.fixture
async def console(aiohttp_client, api_settings, clock, sessions, towns, fake_api):  # type: ignore[no-untyped-def]
    """The console on an app whose evidence downloads go to the fake WeChat API."""
    client = await aiohttp_client(create_app(api_settings.replace(scheduler=False), clock=clock))
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    fake_api.add_media("m-photo", PHOTO, "image/jpeg")
    fake_api.add_media("m-voice", VOICE, "audio/amr")
    return client


async def test_the_page_lists_the_evidence_and_plays_it(console, reports, sessions, clock):
    filed = await reports.filed(evidence=EVIDENCE)
    await log_in(console, "wang")
    _, before = await report_page(console, filed.number)
    assert "证据材料" in before and before.count("下载中") == 3 and "塘桥镇南京路18号" in before
    assert "<dt>来源</dt><dd>微信公众号</dd>" in before
    async with sessions.begin() as session:
        await supplements.add(
            session, filed.number, text="老板今天又让工人进去了", item=None, now=clock.now()
        )
    await console.app[BACKGROUND].run_once()

    _, html = await report_page(console, filed.number)
    photo, voice = FILE.findall(html)
    assert f'<a href="{photo}"' in html and 'class="thumb"' in html
    assert f'<audio controls preload="none" src="{voice}">' in html
    assert "31.8651, 120.6342" in html and "老板今天又让工人进去了" in html
    assert hashlib.sha256(PHOTO).hexdigest() in html and "1004 字节" in html
    assert hashlib.sha256(VOICE).hexdigest() in html and "256 字节" in html
    assert "下载失败" in html and "下载中" not in html
    image = await console.get(photo)
    assert image.status == 200 and image.content_type == "image/jpeg"
    assert await image.read() == PHOTO and image.headers["X-Content-Type-Options"] == "nosniff"
    sound = await console.get(voice)
    assert sound.content_type == "audio/amr" and await sound.read() == VOICE


async def test_files_are_served_only_in_scope_and_only_for_their_report(console, reports):
    elsewhere = await reports.filed(town="杨舍镇", evidence=EVIDENCE[:1])
    other = await reports.filed()
    await console.app[BACKGROUND].run_once()
    await log_in(console, "wang")
    _, html = await report_page(console, elsewhere.number)
    (photo,) = FILE.findall(html)
    assert (await console.get(photo)).status == 200
    moved = photo.replace(elsewhere.number, other.number)  # the item under another report
    assert (await console.get(moved)).status == 404
    assert (await console.get(f"/console/reports/{elsewhere.number}/evidence/999")).status == 404
    assert (await console.get(f"/console/reports/{elsewhere.number}/evidence/x")).status == 404
    await log_in(console, "zhangwei")  # 塘桥镇's officer
    assert (await console.get(photo)).status == 404
    console.session.cookie_jar.clear()  # signed out
    signed_out = await console.get(photo, allow_redirects=False)
    assert signed_out.status == 303


def test_a_stored_path_outside_the_media_folder_is_never_served(tmp_path):
    media = tmp_path / "media"
    (media / "2026").mkdir(parents=True)
    (media / "2026" / "a.jpg").write_bytes(PHOTO)
    (tmp_path / "secret.txt").write_text("jubao-secrets")

    def item(path: str, status: str = "stored") -> Evidence:
        return Evidence(kind="image", path=path, download_status=status)

    assert stored_file(str(media), item("2026/a.jpg")) == (media / "2026" / "a.jpg").resolve()
    assert stored_file(str(media), item("../secret.txt")) is None
    assert stored_file(str(media), item(str(tmp_path / "secret.txt"))) is None
    assert stored_file(str(media), item("2026/a.jpg", status="pending")) is None
    assert stored_file(str(media), item("2026/missing.jpg")) is None


async def test_a_file_of_another_type_is_a_download_never_a_page(console, reports, fake_api):
    fake_api.add_media("m-page", b"<script>alert(1)</script>", "text/html")
    filed = await reports.filed(evidence=(NewEvidence("image", media_id="m-page"),))
    await console.app[BACKGROUND].run_once()
    await log_in(console, "wang")
    (path,) = FILE.findall((await report_page(console, filed.number))[1])
    served = await console.get(path)
    assert served.status == 200 and served.content_type == "application/octet-stream"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served.headers["Content-Security-Policy"]
