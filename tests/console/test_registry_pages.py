"""The admin's registry pages: every tab renders for the admin and is refused (403) to a
dispatcher; a user is added by the form (audited, refusals shown with 422); the enterprise list
is uploaded with its CSRF token, imported, and its bad rows shown on the page."""

from __future__ import annotations

import re

import pytest
from aiohttp import FormData
from sqlalchemy import func, select

from complaints.registry_models import Enterprise
from jubao.audit import AuditEntry
from jubao.auth import User
from tests.console.test_sign_in import CSRF, log_in
from tests.enterprise_lists import credit_code, csv_file, seed_rows, xlsx_file
from tests.staff import PASSWORD, StaffApi

TABS = ("users", "towns", "units", "officers", "enterprises", "rules", "deadlines", "rewards",
        "calendar")  # fmt: skip


@pytest.fixture
async def staff(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    api = StaffApi(client, sessions, clock)
    await api.add("root", "admin")
    await api.add("wang", "dispatcher")
    return api


@pytest.fixture
async def admin(client, staff):  # type: ignore[no-untyped-def]
    assert (await log_in(client, "root")).status == 303
    return client


async def token(client, path: str = "/console/registry/users") -> str:  # type: ignore[no-untyped-def]
    return CSRF.search(await (await client.get(path)).text()).group(1)


async def test_registry_redirects_to_its_first_tab_and_has_a_tab_bar(admin):
    response = await admin.get("/console/registry", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/registry/users"
    page = await (await admin.get("/console/registry/users")).text()
    for tab in TABS:
        assert f'href="/console/registry/{tab}"' in page
    assert "其余登记信息以登记文件为准，使用 <code>jubao registry load</code> 更新" in page
    assert 'href="/console/registry" class="active"' in page  # the nav link


@pytest.mark.parametrize("tab", TABS)
async def test_each_tab_renders_for_the_admin(admin, tab):
    response = await admin.get(f"/console/registry/{tab}")
    assert response.status == 200
    page = await response.text()
    expected = {
        "users": "root",
        "towns": "常阴沙现代农业示范区",
        "units": "塘桥镇综合执法局",
        "officers": "zhangwei",
        "enterprises": "张家港市宏达化工有限公司",
        "rules": "类别=受伤或事故 → 市应急管理局执法大队",
        "deadlines": "受理告知",
        "rewards": "安全生产领域举报奖励办法",
        "calendar": "2026-10-01",
    }[tab]
    assert expected in page


async def test_a_dispatcher_is_refused_every_tab(client, staff):
    await log_in(client, "wang")
    for path in ("/console/registry", *(f"/console/registry/{tab}" for tab in TABS)):
        response = await client.get(path)
        assert response.status == 403, path
        assert "系统管理员" in await response.text()
    assert 'href="/console/registry"' not in await (await client.get("/console/")).text()


async def test_without_a_session_the_registry_goes_to_the_login(client, staff):
    response = await client.get("/console/registry/users", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/login"


def new_user(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "username": "li", "role": "officer", "town": "塘桥镇",
            "wework_id": "lisi", "password": PASSWORD} | fields  # fmt: skip


async def test_the_admin_adds_a_user_who_can_sign_in_and_it_is_audited(admin, sessions, client):
    response = await admin.post(
        "/console/registry/users", data=new_user(await token(admin)), allow_redirects=False
    )
    assert response.status == 303
    page = await (await admin.get(response.headers["Location"])).text()
    assert "已添加用户 li。" in page
    assert re.search(r"<td>li</td><td>执法人员</td><td>塘桥镇</td>\s*<td>lisi</td>", page)
    async with sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "user_add"))
    assert (entry.actor, entry.subject) == ("root", "li")
    await admin.post("/console/logout", data={"csrf_token": await token(admin)})
    assert (await log_in(client, "li")).status == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "superuser", "town": ""}, "没有角色“superuser”"),
        ({"username": "wang"}, "用户名“wang”已存在"),
        ({"password": "short"}, "密码至少8个字符"),
        ({"role": "leader"}, "只有执法人员按镇（区）限定范围"),
    ],
)
async def test_a_bad_user_is_refused_with_422_and_nothing_added(admin, sessions, fields, message):
    response = await admin.post(
        "/console/registry/users", data=new_user(await token(admin), **fields)
    )
    assert response.status == 422
    page = await response.text()
    assert message in page and 'value="lisi"' in page  # the form keeps what was typed
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 2


async def test_adding_a_user_without_csrf_or_as_dispatcher_is_refused(client, staff, sessions):
    await log_in(client, "root")
    form = new_user("")
    assert (await client.post("/console/registry/users", data=form)).status == 403
    await client.post("/console/logout", data={"csrf_token": await token(client)})
    await log_in(client, "wang")
    csrf = await token(client, "/console/")
    response = await client.post("/console/registry/users", data=new_user(csrf))
    assert response.status == 403
    async with sessions() as session:
        assert await session.scalar(select(func.count(User.id))) == 2


def upload(csrf: str | None, content: bytes, filename: str = "名录.xlsx") -> FormData:
    form = FormData()
    if csrf is not None:
        form.add_field("csrf_token", csrf)
    form.add_field("file", content, filename=filename, content_type="application/octet-stream")
    return form


async def enterprises(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(func.count(Enterprise.id))) or 0


async def test_the_upload_imports_and_shows_the_summary(admin, sessions):
    before = await enterprises(sessions)
    csrf = await token(admin, "/console/registry/enterprises")
    response = await admin.post(
        "/console/registry/enterprises", data=upload(csrf, xlsx_file(seed_rows(120)))
    )
    assert response.status == 200
    page = await response.text()
    assert "共 120 行：新增 120，更新 0，未变 0" in page
    assert await enterprises(sessions) == before + 120
    again = await admin.post(
        "/console/registry/enterprises", data=upload(csrf, xlsx_file(seed_rows(120)))
    )
    assert "新增 0，更新 0，未变 120" in await again.text()


async def test_the_upload_shows_bad_rows_and_imports_the_good(admin, sessions):
    before = await enterprises(sessions)
    rows = [*seed_rows(2), ("明珠纺织", credit_code(1)[:-1] + "0", "火星镇", "", "紫", "否")]
    csrf = await token(admin, "/console/registry/enterprises")
    response = await admin.post(
        "/console/registry/enterprises",
        data=upload(csrf, csv_file(rows, encoding="gb18030"), "名录.csv"),
    )
    assert response.status == 422
    page = await response.text()
    assert "新增 2，更新 0，未变 0，出错 1 行" in page
    assert "<td>第 4 行</td><td>所属镇（区）</td><td>“火星镇”不是已登记的镇（区）</td>" in page
    assert "校验位不符" in page and "<td>风险等级</td>" in page
    assert await enterprises(sessions) == before + 2


async def test_an_unreadable_upload_is_422_and_changes_nothing(admin, sessions):
    before = await enterprises(sessions)
    csrf = await token(admin, "/console/registry/enterprises")
    content = csv_file(seed_rows(3), header=("名称", "地址"))
    response = await admin.post(
        "/console/registry/enterprises", data=upload(csrf, content, "a.csv")
    )
    assert response.status == 422 and "表头缺少列" in await response.text()
    assert await enterprises(sessions) == before


async def test_the_upload_without_csrf_or_by_a_dispatcher_is_refused(client, staff, sessions):
    before = await enterprises(sessions)
    await log_in(client, "root")
    response = await client.post(
        "/console/registry/enterprises", data=upload(None, xlsx_file(seed_rows(3)))
    )
    assert response.status == 403
    response = await client.post(
        "/console/registry/enterprises", data=upload("forged", xlsx_file(seed_rows(3)))
    )
    assert response.status == 403
    await client.post("/console/logout", data={"csrf_token": await token(client)})
    await log_in(client, "wang")
    csrf = await token(client, "/console/")
    response = await client.post(
        "/console/registry/enterprises", data=upload(csrf, xlsx_file(seed_rows(3)))
    )
    assert response.status == 403
    assert await enterprises(sessions) == before


async def test_enterprises_are_paged_searched_and_counted_by_colour(admin, sessions):
    csrf = await token(admin, "/console/registry/enterprises")
    long_addresses = [(*row[:3], row[3] + "（厂区）" * 20, *row[4:]) for row in seed_rows()]
    content = csv_file(long_addresses)
    assert len(content) > 1024 * 1024  # over the app's body limit, which is for callbacks
    response = await admin.post(
        "/console/registry/enterprises", data=upload(csrf, content, "a.csv")
    )
    assert "新增 3685" in await response.text()
    page = await (await admin.get("/console/registry/enterprises")).text()
    assert page.count('<span class="tag colour') == 50
    assert "第 1 / 74 页" in page  # 3,685 and the demo's 12, 50 a page
    assert re.search(r"蓝</span><span class=\"count\">2,04\d<", page)
    second = await (await admin.get("/console/registry/enterprises?page=2")).text()
    assert "第 2 / 74 页" in second and "上一页</a>" in second
    found = await (
        await admin.get("/console/registry/enterprises", params={"q": credit_code(1100)})
    ).text()
    assert "共 1 家" in found and "张家港市第101号安全示范有限公司" in found
    found = await (await admin.get("/console/registry/enterprises", params={"q": "宏达"})).text()
    assert "张家港市宏达化工有限公司" in found and "共 1 家" in found
