"""The README's guided tour, walked in Chromium against a real `jubao demo` process: a citizen
files a report on the simulator's phone, the dispatcher accepts it in the console, the group
card and the officer's message arrive in the simulator's WeChat Work, the officer takes and
concludes it there, the console shows it concluded, and a jump of the demo clock brings
reminders. The screenshots it takes are the README's (JUBAO_DOCS_SCREENSHOTS=1 writes them into
docs/img/)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from playwright.async_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS, VIEWPORT
from tests.e2e.test_demo_process import demo  # noqa: F401 - the running demo, a fixture

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
NUMBER = re.compile(r"举报编号：(\S+)")
GROUP = "举报分派群"


async def shoot(page: Page, name: str, *, docs: bool = True) -> None:
    """test-output/screenshots/NAME.png, and docs/img/NAME.png when asked to refresh them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path)
    if docs and os.environ.get("JUBAO_DOCS_SCREENSHOTS"):
        shutil.copy(path, DOCS_IMG / path.name)


def csp(text: str) -> bool:
    """Whether a console message is Chromium reporting a Content-Security-Policy violation."""
    return "Content Security Policy" in text or "Content-Security-Policy" in text


async def say(sim: Page, text: str, answer: str) -> None:
    """Type into the phone and wait for the account's answer containing `answer`."""
    await sim.locator("#phone-input").fill(text)
    await sim.locator("#phone-send").click()
    await expect(sim.locator("#phone-chat .msg.service").last).to_contain_text(answer)


async def test_the_guided_tour_from_a_citizens_first_message_to_a_conclusion(browser, demo):  # noqa: F811
    context = await browser.new_context(
        base_url=demo.base, viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(TIMEOUT_MS)
    sim = await context.new_page()
    errors: list[str] = []
    sim.on("pageerror", lambda error: errors.append(str(error)))
    context.on(
        "console", lambda message: errors.append(message.text) if csp(message.text) else None
    )

    # 1. The citizen files a report on the phone.
    await sim.goto("/sim/")
    await expect(sim.locator("#account-name")).to_have_text("张家港应急管理")
    await sim.get_by_role("button", name="举报", exact=True).click()
    await expect(sim.locator("#phone-chat .msg.service").last).to_contain_text("请选择举报类型")
    await say(sim, "1", "塘桥镇")
    await say(sim, "塘桥镇", "单位名称和地址")
    await say(sim, "宏达化工的危化品仓库", "请描述具体情况")
    await say(sim, "仓库外堆满了油漆桶，消防通道被堵死，灭火器也过期了。", "发送「完成」继续")
    await sim.locator("#toggle-tray").click()
    await sim.locator("#tray-pictures button").first.click()
    await expect(sim.locator("#phone-chat .msg.service").last).to_contain_text("第1件证据")
    await expect(sim.locator("#phone-chat .msg.user img")).to_have_count(1)
    await say(sim, "完成", "举报方式")
    await say(sim, "2", "1 提交")
    await say(sim, "1", "举报编号")
    reply = await sim.locator("#phone-chat .msg.service").last.inner_text()
    number = NUMBER.search(reply).group(1)
    await shoot(sim, "demo-simulator-phone", docs=False)

    # 2. The dispatcher accepts it in the console.
    console = await context.new_page()
    await console.goto("/console/login")
    await console.get_by_label("用户名", exact=True).fill("wang")
    await console.get_by_label("密码", exact=True).fill("jubao-demo")
    await console.get_by_role("button", name="登录").click()
    await expect(console.get_by_role("heading", name="工作台")).to_be_visible()
    await shoot(console, "console-dashboard")
    await console.goto(f"/console/reports/{number}")
    await console.get_by_role("button", name="受理", exact=True).click()
    await expect(console.locator("h1")).to_contain_text("已分派")

    # 3. The group card arrives in WeChat Work, and the officer's own message.
    await sim.bring_to_front()
    card = sim.locator("#work-chat .msg").filter(has_text=f"【举报分派】{number}")
    await expect(card).to_be_visible()
    officer = re.search(r"承办：(\S+?)（", await card.inner_text()).group(1)
    await expect(sim.locator("#phone-chat .msg.service").last).to_contain_text("已受理")
    await shoot(sim, "demo-simulator")

    # 4. The officer takes it and concludes it, 1:1 with the app.
    await sim.locator("#work-list button").filter(has_text=officer).click()
    await expect(sim.locator("#work-chat")).to_contain_text(f"接收 {number}")
    await sim.locator("#work-chips").get_by_role("button", name="接收", exact=True).click()
    await expect(sim.locator("#work-chat .msg.service").last).to_contain_text(f"已接收 {number}")
    await sim.locator("#work-input").fill(f"属实 {number} 现场检查属实，已责令停用仓库并清理通道")
    await sim.locator("#work-send").click()
    await expect(sim.locator("#work-chat .msg.service").last).to_contain_text("已提交")

    # 5. The console shows it concluded.
    await console.reload()
    await expect(console.locator("h1")).to_contain_text("已核查")

    # 6. A week later: the demo clock jumps, the sweep runs, and escalations arrive.
    await sim.bring_to_front()
    await sim.get_by_role("button", name="+1 周").click()
    await expect(sim.locator("#toast")).to_contain_text("时间已快进到")
    await expect(sim.locator("#clock-offset")).to_have_text("（已快进 7 天）")
    await sim.locator("#work-list button").filter(has_text=GROUP).click()
    await expect(sim.locator("#work-chat .clock-note")).to_have_text("时间快进 1 周")
    await expect(sim.locator("#work-chat .msg").last).to_contain_text("期限逾期】")
    await shoot(sim, "demo-simulator-week-later")
    assert errors == []
