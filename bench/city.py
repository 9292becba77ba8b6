"""A synthetic city at the reform's scale, for benchmarks: 50 departments whose 307 sections become
213 big sections of 3–9 people (about 1,000 in all), 1,500 processes redesigned from about 11 to
8 steps each (12,000 after), A/B holders paired as the reform asks, and absences that keep 5–10% of
people away on any workday. Deterministic for a seed, so runs compare."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from flows.model import Process, Step, Version
from flows.timelimits import longest_route
from roles.model import Absence, Department, Function, Person, Section, SectionBefore, Workbook
from roles.actor import Account

#: Who loads a generated city, as the audit trail names it.
BENCH = Account("bench", "office")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力新宇浩晨欣怡雪梅海波俊峰"
BUREAUS = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
           "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
           "农业农村局", "商务局", "文化广电旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
           "国有资产监督管理委员会", "市场监督管理局", "体育局", "统计局", "医疗保障局", "城市管理局", "林业局",
           "行政审批服务局", "信访局", "机关事务管理局", "大数据管理局", "粮食和物资储备局", "人民防空办公室",
           "地方金融管理局", "外事办公室", "民族宗教事务局", "档案局", "住房公积金管理中心", "投资促进局",
           "乡村振兴局", "口岸办公室", "供销合作社", "残疾人联合会", "妇女联合会", "总工会", "科学技术协会",
           "文学艺术界联合会", "社会科学界联合会", "红十字会"]
STEP_NAMES = ["受理", "登记", "初审", "核查", "会签", "复核", "审核", "审批", "公示", "制证", "送达", "归档",
              "拟办", "办理", "材料补正", "现场勘查", "专家评审", "汇总", "报送", "反馈"]
SECTION_NAMES = ["综合科", "政策法规科", "审批服务科", "监督管理科", "规划发展科", "财务审计科", "执法监督科",
                 "行业管理科", "信息统计科"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _chain(rng: random.Random, n: int, people: list[Person] | None) -> Version:
    """n task/approval steps in a line, with now and then a gateway that skips or sends back."""
    ids = [f"s{i + 1}" for i in range(n)]
    steps = []
    pairs = _pairs(people) if people else []
    for i, sid in enumerate(ids):
        nxt: tuple[str, ...] = (ids[i + 1],) if i + 1 < n else ()
        kind = "approval" if i >= n - 2 and rng.random() < 0.7 else "task"
        a = b = None
        if pairs:
            a, b = pairs[(i + rng.randrange(len(pairs))) % len(pairs)]
        if i + 2 < n and rng.random() < 0.12:
            gid = f"g{i + 1}"
            steps.append(Step(sid, rng.choice(STEP_NAMES), kind, (gid,), a, b,
                              minutes=rng.choice((5, 10, 15, 20, 30)) if people else None,
                              per_month=rng.choice((10, 20, 40, 80, 160)) if people else None))
            steps.append(Step(gid, kind="gateway", next=(ids[i + 1], ids[i + 2])))
            continue
        steps.append(Step(sid, rng.choice(STEP_NAMES), kind, nxt, a, b,
                          minutes=rng.choice((5, 10, 15, 20, 30)) if people else None,
                          per_month=rng.choice((10, 20, 40, 80, 160)) if people else None))
    return Version(tuple(steps))


def _pairs(people: list[Person]) -> list[tuple[str, str]]:
    """A/B pairs as the reform asks: head and deputy back each other, deputies and staff do."""
    head = [p.id for p in people if p.post == "head"]
    deputies = [p.id for p in people if p.post == "deputy"] or head
    staff = [p.id for p in people if p.post == "staff"] or deputies
    pairs = [(head[0], deputies[0]), (deputies[0], head[0])]
    for i, s in enumerate(staff):
        d = deputies[i % len(deputies)]
        pairs += [(s, d), (d, s)]
        other = staff[(i + 1) % len(staff)]
        if other != s:
            pairs.append((s, other))
    return pairs


def city_workbook(day: dt.date, seed: int = 7, departments: int = 50, processes: int = 1500,
                  prefix: str = "", city: str = "市") -> Workbook:
    rng = random.Random(seed)
    before_counts = [6] * departments
    for _ in range(307 - 6 * departments):
        before_counts[rng.randrange(departments)] += 1
    after_total = 213
    after_counts = [max(2, round(b * after_total / 307)) for b in before_counts]
    while sum(after_counts) > after_total:
        after_counts[after_counts.index(max(after_counts))] -= 1
    while sum(after_counts) < after_total:
        after_counts[rng.randrange(departments)] += 1
    depts, people, procs = [], [], []
    n_sections = sum(after_counts)
    per_section = [processes // n_sections + (1 if i < processes % n_sections else 0) for i in range(n_sections)]
    k = 0
    for d in range(departments):
        did = f"{prefix}d{d + 1:02d}"
        before = tuple(SectionBefore(f"{did}-o{i + 1}", f"原{SECTION_NAMES[i % 9]}{i // 9 or ''}", rng.randint(2, 5))
                       for i in range(before_counts[d]))
        functions = tuple(Function(f"{did}-f{i + 1}", f"职能{i + 1}", approval=(i == 0)) for i in range(after_counts[d] * 2))
        sections = []
        for i in range(after_counts[d]):
            sid = f"{did}-s{i + 1}"
            merged = tuple(b.id for j, b in enumerate(before) if j % after_counts[d] == i)
            size = rng.choice((3, 4, 4, 5, 5, 5, 6, 7))
            members = [Person(f"{sid}-{j + 1}", _name(rng), sid, "head" if j == 0 else "deputy" if j == 1 else "staff")
                       for j in range(size)]
            people += members
            sections.append(Section(sid, SECTION_NAMES[i % 9] if i < 9 else f"第{i + 1}科",
                                    "comprehensive" if i == 0 else "business", merged, staffing=size + 1,
                                    leader_posts=1 if size + 1 <= 4 else 2,
                                    functions=(functions[2 * i].id, functions[2 * i + 1].id)))
            for j in range(per_section[k]):
                n_after = rng.choice((6, 7, 8, 8, 9, 10))
                procs.append(Process(f"{sid}-p{j + 1}", sid, f"{rng.choice(STEP_NAMES)}业务{j + 1}",
                                     before=_chain(rng, n_after + rng.choice((2, 3, 4)), None),
                                     after=_chain(rng, n_after, members)))
            k += 1
        depts.append(Department(did, f"{city}{BUREAUS[d % len(BUREAUS)]}", batch=1 + d % 3, sections_before=before,
                                sections=tuple(sections), functions=functions))
    terms = random.Random(seed * 31 + 1)
    return Workbook(tuple(depts), tuple(people), tuple(_with_terms(terms, p) for p in procs), _absences(rng, people, day))


MATERIALS = ("申请书", "身份证明", "营业执照", "场地证明", "章程", "授权委托书", "检验报告", "承诺书", "图纸", "合同")


def _with_terms(rng: random.Random, p: Process) -> Process:
    """Time limits, materials, trips and step days on most processes, as a city's service matters
    carry them (a generator of its own, so the rest of the city stays as it was): a fifth have
    none, a tenth are instant; a redesign halves the days and cuts the materials and trips."""
    roll = rng.random()
    if roll < 0.2 or p.before is None or p.after is None:
        return p

    def timed(v: Version, choices: tuple[float, ...]) -> Version:
        return dataclasses.replace(v, steps=tuple(dataclasses.replace(s, days=rng.choice(choices)) if s.is_work else s
                                                  for s in v.steps))
    before = timed(p.before, (1, 1, 2, 3, 5))
    after = timed(p.after, (0.5, 1, 1, 2)) if roll >= 0.3 else timed(p.after, (0,))
    path_b, path_a = longest_route(before).days, longest_route(after).days
    n = rng.randint(4, 10)
    before = dataclasses.replace(before, kind="promised", legal_days=math.ceil(path_b) * 2,
                                 promised_days=math.ceil(path_b) + rng.randint(0, 3),
                                 materials=tuple(rng.sample(MATERIALS, n)), trips=rng.randint(2, 4))
    after = dataclasses.replace(after, kind="instant" if roll < 0.3 else "promised", legal_days=before.legal_days,
                                promised_days=None if roll < 0.3 else math.ceil(path_a) + rng.randint(0, 1),
                                materials=tuple(rng.sample(before.materials or (), max(1, n // 2))),
                                trips=rng.randint(0, 1))
    return dataclasses.replace(p, before=before, after=after)


def province_workbook(day: dt.date, cities: int = 20) -> Workbook:
    """A province: `cities` cities of the size above, one database (ids prefixed c01…, c02…)."""
    parts = [city_workbook(day, seed=7 + c, prefix=f"c{c + 1:02d}", city=f"第{c + 1}市")
             for c in range(cities)]
    return Workbook(*(tuple(x for w in parts for x in getattr(w, f))
                      for f in ("departments", "people", "processes", "absences")))


def _absences(rng: random.Random, people: list[Person], day: dt.date) -> tuple[Absence, ...]:
    """About 5–10% of people away on any day of the four weeks from `day`: leave of 1–5 days each."""
    out = []
    horizon = 28
    target = int(len(people) * 0.1 * horizon / 3)  # 3 days on average per absence
    for _ in range(target):
        p = rng.choice(people)
        start = day + dt.timedelta(days=rng.randrange(-2, horizon))
        out.append(Absence(p.id, start, start + dt.timedelta(days=rng.randrange(5)),
                           rng.choice(("leave", "trip", "training", "sick"))))
    return tuple(out)
