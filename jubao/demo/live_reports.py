"""The demo's current work: fourteen reports of this year in every status (SPEC §7), filed and
moved the way the service does it (report_maker: the bot's filing, the petition office's intake,
the staff's actions, the reward flow, a citizen's 催办), each step back-dated to its own moment
so that the deadlines fall soon: acceptance in 2 days, an acknowledgement that ends today
(assigned the day before; at a weekend, on the next working day),
handling in 3 days, a result notice in 2, a reward's collection window in 5; an acceptance and
a handling already overdue (the latter urged by its reporter).

Deterministic: fixed texts, moments fixed relative to `now` (a local date some days back, at a
fixed local time), fixed MsgIds. The numbers take the year of their filing day, so in the first
weeks of a year the oldest of them carry the year before's."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.lifecycle import Actor, Status
from complaints.new_report import NewReport
from jubao.config import Settings
from jubao.demo import report_maker
from jubao.demo.citizens import DEMO_CITIZENS
from jubao.demo.report_maker import DISPATCHER, LEADER, officer
from jubao.identity import IdentityVault
from rewards import ledger

ZHOU, LIN, HE = (citizen.openid for citizen in DEMO_CITIZENS)
MSG_IDS = 7_700_000_000_000_000_000  # the citizens' confirming messages: MsgIds from here up
REWARD_ACTIONS = frozenset({"propose", "approve"})


@dataclass(frozen=True)
class Ago:
    """A moment before `now`: `days` local days back at `clock` local time, or `hours` back."""

    days: int = 0
    clock: str = ""
    hours: float = 0

    def at(self, now: datetime, settings: Settings) -> datetime:
        if not self.clock:
            return now - timedelta(hours=self.hours)
        day = now.astimezone(settings.tz).date() - timedelta(days=self.days)
        local = datetime.combine(day, time.fromisoformat(self.clock), settings.tz)
        return min(local, now)


@dataclass(frozen=True)
class Step:
    ago: Ago
    action: str  # a report action, a reward action (REWARD_ACTIONS) or "urge" (the reporter)
    by: Actor | None = None  # None: the reporter
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Live:
    key: str
    new: NewReport
    filed: Ago
    openid: str | None = None  # None: taken at the desk by the dispatcher (new.channel)
    by: str = ""  # the officer who handles it
    reach: Mapping[Status, Ago] = field(default_factory=dict)  # the main line's moments
    steps: tuple[Step, ...] = ()
    conclusion: Mapping[str, object] = field(default_factory=dict)  # when reach concludes


def _case(fine: int, case: int, summary: str) -> dict[str, object]:
    """A substantiated finding with a case filed ({year}: the demo's) and a fine (yuan)."""
    return {
        "finding": "substantiated",
        "summary": summary,
        "case_filed": True,
        "case_number": f"张应急罚〔{{year}}〕{case}号",
        "fine": str(fine),
    }


def _line(*moments: Ago) -> dict[Status, Ago]:
    """The moments the main line's statuses are reached, from acceptance on, as far as given."""
    return dict(zip(report_maker.MAIN_LINE[1:], moments, strict=False))


# In order of filing, so the numbers rise with the dates.
LIVE: tuple[Live, ...] = (
    Live(  # closed; reward approved, the reporter told: his 60 days to collect end in 5 days
        "reward_notified",
        NewReport("hazard", "乐余镇", "乐余五金冲压车间", "冲床光电保护装置被拆除，工人徒手送料，"
                  "车间内粉尘很大且无除尘设施。", anonymous=False, name="周建华",
                  phone="13962218847"),
        Ago(75, "09:20"), ZHOU, "sunli",
        _line(Ago(74, "10:00"), Ago(74, "10:00"), Ago(73, "09:00"), Ago(60, "15:30"),
              Ago(58, "10:00")),
        (Step(Ago(57, "11:00"), "propose", DISPATCHER),
         Step(Ago(55, "16:00"), "approve", LEADER)),
        _case(80000, 211, "冲床安全装置被拆除属实，粉尘浓度超标，已责令停产整改，立案处罚。"),
    ),
    Live(  # investigating; overdue: handling ended 3 days ago, and the reporter urged it
        "handling_overdue",
        NewReport("injury", "大新镇", "大新船厂二号船坞", "分段合拢焊接时一名焊工从脚手架坠落，"
                  "右腿骨折，企业让其自行就医未上报。", details="1人受伤", count=1,
                  anonymous=False, name="何志明", phone="13584461209"),
        Ago(64, "19:40"), HE, "chenjianguo",
        _line(Ago(63, "09:10"), Ago(63, "09:30"), Ago(62, "08:50")),
        (Step(Ago(1, "10:15"), "urge"),),
    ),
    Live(  # investigating; handling ends in 3 days (red-code enterprise: urgent)
        "hongda",
        NewReport("hazard", "塘桥镇", "宏达化工危化品仓库", "甲类仓库内桶装溶剂超量堆放，"
                  "部分桶盖未封闭，仓库门口的可燃气体报警器一直不响。",
                  anonymous=False, name="何志明", phone="13584461209"),
        Ago(58, "21:05"), HE, "chenjianguo",
        _line(Ago(57, "09:00"), Ago(57, "09:20"), Ago(56, "10:30")),
    ),
    Live(  # merged into the report on 宏达化工 filed a week earlier
        "hongda_again",
        NewReport("hazard", "塘桥镇", "宏达化工", "宏达化工仓库里化工桶堆到顶，气味很重，"
                  "晚上还有人在里面抽烟。"),
        Ago(50, "07:45"), HE,
        steps=(Step(Ago(49, "09:30"), "merge", DISPATCHER, {"duplicate_of": "{hongda}"}),),
    ),
    Live(  # concluded: substantiated, a case and a fine; the result notice is due in 2 days
        "concluded",
        NewReport("hazard", "塘桥镇", "塘桥镇鹿苑工业区一家家具厂的喷漆车间",
                  "喷漆车间没有通风和防爆设施，油漆稀释剂随意堆在配电箱旁边，工人不戴防毒面具。"),
        Ago(40, "12:30"), HE, "zhangwei",
        _line(Ago(39, "09:00"), Ago(39, "09:00"), Ago(38, "14:00"), Ago(8, "16:20")),
        conclusion=_case(50000, 236, "喷漆车间无通风防爆设施、稀释剂违规存放属实，已责令"
                         "停止作业并立案处罚。"),
    ),
    Live(  # closed; a reward proposed, awaiting a leader's approval (blacklisted: urgent)
        "reward_proposed",
        NewReport("hazard", "南丰镇", "南丰烟花爆竹经营部后面的民房", "经营部把大批烟花爆竹囤放在"
                  "后面的居民自建房里，楼上住着人，门口还堆着纸箱。"),
        Ago(35, "18:10"), LIN, "chenjianguo",
        _line(Ago(34, "09:00"), Ago(34, "09:10"), Ago(33, "10:00"), Ago(7, "15:00"),
              Ago(5, "11:00")),
        (Step(Ago(3, "10:30"), "propose", DISPATCHER),),
        _case(20000, 241, "违规在居民自建房内储存烟花爆竹属实，已依法没收并立案处罚。"),
    ),
    Live(  # investigating, with a note of progress on the timeline
        "progress",
        NewReport("hazard", "塘桥镇", "塘桥金属制品厂", "抛光车间铝粉尘积得很厚，除尘器坏了"
                  "好几个月，车间里还有人用手机。", anonymous=False, name="林秀梅",
                  phone="13771850632"),
        Ago(20, "20:15"), LIN, "zhangwei",
        _line(Ago(19, "09:00"), Ago(19, "09:00"), Ago(18, "10:00")),
        (Step(Ago(10, "16:00"), "progress", officer("zhangwei"),
              {"note": "已现场检查，责令立即停用抛光线并清理积尘，除尘器修复后复查。"}),),
    ),
    Live(  # received by phone; overdue: the acceptance decision was due 2 days ago
        "accept_overdue",
        NewReport("hazard", "保税区", "华通物流危化品堆场", "堆场里几个槽罐车停在一起装卸，"
                  "静电接地线没接，旁边还有人在动火切割。", channel="phone",
                  anonymous=False, name="赵先生", phone="13912007315"),
        Ago(17, "14:25"),
    ),
    Live(  # received in the bot; the acceptance decision is due in 2 days
        "accept_soon",
        NewReport("hazard", "杨舍镇", "永盛纺织三号车间", "车间安全出口被成品布匹堵住，"
                  "应急照明灯不亮，消防栓前堆着纸箱。"),
        Ago(13, "11:05"), ZHOU,
    ),
    Live(  # rejected: not the bureau's remit
        "rejected",
        NewReport("hazard", "经济技术开发区", "国泰北路一家烧烤店", "烧烤店油烟很大，半夜还很吵，"
                  "影响附近居民休息。"),
        Ago(10, "23:10"), LIN,
        steps=(Step(Ago(9, "09:40"), "reject", DISPATCHER,
                    {"reason": "outside_remit", "note": "油烟、噪声扰民请向生态环境部门反映。"}),),
    ),
    Live(  # accepted with no assignee: the routed officer returned it
        "returned",
        NewReport("hazard", "锦丰镇", "锦丰机械焊接车间", "焊接车间的氧气瓶和乙炔瓶放在一起，"
                  "没有防倾倒措施，瓶阀上都是油污。"),
        Ago(6, "10:30"), ZHOU, "xujun",
        _line(Ago(5, "09:30"), Ago(5, "09:30")),
        (Step(Ago(4, "15:00"), "return", officer("xujun"),
              {"note": "现场核实该车间上月已搬至乐余镇，不属本单位辖区，请重新分派。"}),),
    ),
    Live(  # transferred: gas belongs to another authority
        "transferred",
        NewReport("hazard", "杨舍镇", "暨阳湖苑小区地下车库", "地下车库燃气管道附近一直有很重的"
                  "燃气味，物业说不归他们管。", channel="visit"),
        Ago(4, "15:20"),
        steps=(Step(Ago(3, "09:15"), "transfer", DISPATCHER,
                    {"to": "市住房和城乡建设局（燃气管理）", "note": "属燃气管理事项"}),),
    ),
    Live(  # assigned yesterday: the officer's acknowledgement ends today (red code: urgent)
        "assigned",
        NewReport("injury", "金港镇", "金港石化储罐区", "储罐检修时一名工人在罐内作业晕倒，"
                  "被同事救出送医，现场没有气体检测和监护人。", details="1人受伤", count=1),
        Ago(1, "09:10"), ZHOU, "chenjianguo",
        _line(Ago(1, "15:40"), Ago(1, "16:00")),
    ),
    Live(  # received by phone two hours ago: concealed deaths, urgent
        "fresh",
        NewReport("concealed", "凤凰镇", "凤凰镇一处在建厂房工地", "听工友说上周工地上有人从屋面"
                  "摔下来死了，老板私下赔了钱，没有报告。", count=1, channel="phone"),
        Ago(hours=2),
    ),
)  # fmt: skip


async def load_live_reports(
    session: AsyncSession, settings: Settings, vault: IdentityVault, now: datetime
) -> list[str]:
    """File and move the live reports in the caller's transaction (never commits); returns
    their numbers in the order of LIVE."""
    numbers: dict[str, str] = {}
    msg_ids = itertools.count(MSG_IDS)
    year = str(now.astimezone(settings.tz).year)
    for live in LIVE:
        filed_at = live.filed.at(now, settings)
        if live.openid is None:
            report = await report_maker.file_at_desk(
                session, live.new, by=DISPATCHER.name, settings=settings, vault=vault, at=filed_at
            )
        else:
            report = await report_maker.file_in_bot(
                session, live.new, live.openid, settings=settings, vault=vault, at=filed_at,
                msg_id=next(msg_ids),
            )  # fmt: skip
        numbers[live.key] = number = report.number
        if live.reach:
            moments = {status: ago.at(now, settings) for status, ago in live.reach.items()}
            await report_maker.advance(
                session, report, max(live.reach, key=_position), settings=settings, vault=vault,
                by=live.by, at=moments,
                conclusion={k: _fill(v, numbers, year) for k, v in live.conclusion.items()},
            )  # fmt: skip
        for step in live.steps:
            fields = {k: _fill(v, numbers, year) for k, v in step.fields.items()}
            at = step.ago.at(now, settings)
            await _step(session, settings, vault, live, number, step, fields, at, next(msg_ids))
    return list(numbers.values())


async def _step(
    session: AsyncSession,
    settings: Settings,
    vault: IdentityVault,
    live: Live,
    number: str,
    step: Step,
    fields: Mapping[str, object],
    at: datetime,
    msg_id: int,
) -> None:
    if step.action == "urge":
        assert live.openid is not None
        outcome = await report_maker.urge_in_bot(
            session, number, live.openid, settings=settings, vault=vault, at=at, msg_id=msg_id
        )
        if outcome != "urged":
            raise RuntimeError(f"the live report {live.key} could not be urged: {outcome}")
    elif step.action in REWARD_ACTIONS:
        assert step.by is not None
        await ledger.act(
            session, number, step.action, fields, step.by, settings=settings, vault=vault, now=at
        )
    else:
        assert step.by is not None
        await report_maker.acted_on(
            session, number, step.action, settings=settings, vault=vault, by=step.by, at=at,
            **fields,
        )  # fmt: skip


def _position(status: Status) -> int:
    return report_maker.MAIN_LINE.index(status)


def _fill(value: object, numbers: Mapping[str, str], year: str) -> object:
    """A field's text with {key} (an earlier live report's number) and {year} filled in."""
    return value.format(year=year, **numbers) if isinstance(value, str) else value
