"""A demo team: four reps, 36 customers, three months of plans, promises and money.

Every number comes from one seeded `random.Random`, so `demo_book()` is the
same book on every call. The current month is `month`; the two months before it
are history (past asks, settlements, receipts), so negotiation habits can be
read from the data. Each rep has a different story, so a diagnosis finds a
different cause for each:

- 李娜 — the disciplined rep of the article. Plans made jointly with the
  customer, asks anchored high (≈1.6–2× expected), measures that cover the gap,
  reminders before every installment, excuses heard but not accepted. Her
  customers are kept or on track; one new customer has not committed yet.
- 王强 — good at asking, poor at planning. He writes plans alone (rarely agreed
  jointly) and leaves most of the gap without measures; one customer pays only
  part of its first installment.
- 张伟 — the weak negotiator. He asks no more than he expects, so customers
  settle below his own estimate; many of his customers never commit at all and
  he accepts their reasons.
- 刘洋 — gets promises but does not follow them. Few reminders, chases late,
  and accepts almost every excuse (quality, personal, downstream, cash, dispute,
  other) with the amount deferred: broken promises, and a C-grade customer that
  pays half its first installment.
"""

from __future__ import annotations

import calendar
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .contract import CHANNELS, EXCUSE_KINDS, MEASURE_KINDS, MEASURE_STATUSES, RESULTS
from .model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Receipt, Rep

PLANNED, DONE, DROPPED = (c.key for c in MEASURE_STATUSES)
CALL, VISIT, MESSAGE = (c.key for c in CHANNELS)
PAID, PROMISED, PARTIAL, EXCUSE, NO_ANSWER = (c.key for c in RESULTS)


@dataclass(frozen=True)
class Story:
    """How one rep works; `scenarios` fixes the current month of each of his 9 customers.

    K kept (all installments due and paid), O on track (the last one still to
    come), P partial (half the first installment), B broken (nothing paid),
    N no commitment.
    """

    grades: str  # credit grade of each customer, in order
    scenarios: str
    joint: float  # share of plans agreed jointly
    anchor: tuple[float, float]  # ask ÷ expected
    coverage: tuple[float, float]  # measure contributions ÷ gap
    measured: float  # share of gaps with any measure at all
    diligence: float  # chance of a reminder / a timely chase
    accepts: float  # chance of accepting an excuse
    reliability: float  # chance a past installment was paid in full
    commits: float  # chance a customer committed in a past month


REPS = {
    "李娜": Story("AABBCBADB", "KKOKOOKON", joint=0.95, anchor=(1.6, 2.0), coverage=(0.9, 1.3),
                  measured=1.0, diligence=0.95, accepts=0.05, reliability=0.95, commits=0.95),
    "王强": Story("ABBCBBDAC", "KOKPONKOO", joint=0.1, anchor=(1.5, 1.8), coverage=(0.1, 0.4),
                  measured=0.3, diligence=0.75, accepts=0.3, reliability=0.85, commits=0.9),
    "张伟": Story("BBACBCBDA", "NNNKONKOP", joint=0.8, anchor=(0.8, 1.0), coverage=(0.5, 0.8),
                  measured=0.8, diligence=0.8, accepts=0.7, reliability=0.9, commits=0.6),
    "刘洋": Story("BCDBCADBA", "BPBKOPBON", joint=0.85, anchor=(1.5, 1.9), coverage=(0.6, 1.0),
                  measured=0.9, diligence=0.2, accepts=0.9, reliability=0.6, commits=0.9),
}  # fmt: skip
# fmt: off
PLACES = ("华东", "华南", "华北", "西南", "江南", "苏州",
          "杭州", "宁波", "合肥", "南昌", "长沙", "武汉")
BRANDS = ("鑫达", "恒通", "金源", "宏远", "盛世", "永兴", "瑞丰", "安泰", "广和")
TRADES = ("建材贸易", "五金机电", "日用百货", "家电销售", "食品批发",
          "农资经销", "电器商贸", "化工贸易", "建筑材料")
SURNAMES = tuple("陈杨赵黄周吴徐孙马朱胡郭何林高罗")
GIVEN = ("建国", "秀英", "志强", "海燕", "文斌", "丽华",
         "国庆", "春梅", "永刚", "晓东", "玉兰", "德明")
PHONES = ("138", "139", "135", "136", "186", "158", "177", "189")
# fmt: on


# Where each rep's workbook is mailed (huikuan split --eml): 刘洋 has no address on file;
# the manager, 赵敏, has a row of her own (no customers) that gives her address for Cc.
MANAGER = "赵敏"
TEAM_REPS = (
    Rep(rep="李娜", email="lina@example.cn", manager=MANAGER),
    Rep(rep="王强", email="wangqiang@example.cn", manager=MANAGER),
    Rep(rep="张伟", email="zhangwei@example.cn", manager=MANAGER),
    Rep(rep="刘洋", manager=MANAGER),
    Rep(rep=MANAGER, email="zhaomin@example.cn"),
)


def _money(x: float, step: int = 1000) -> Decimal:
    """A whole number of `step` yuan, at least one step."""
    return Decimal(max(1, round(x / step)) * step)


def _shift(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _day(month: date, d: int) -> date:
    return month.replace(day=min(d, calendar.monthrange(month.year, month.month)[1]))


def _customers(rng: random.Random) -> list[Customer]:
    out = []
    for i in range(36):
        rep = list(REPS)[i // 9]
        cid = f"K{1001 + i}"
        phone = rng.choice(PHONES) + f"{rng.randrange(10**8):08d}"
        if i % 7 == 3:  # a landline
            area = rng.choice(("021", "0571", "0574", "0551", "0791", "0731", "027"))
            phone = f"{area}-{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
        out.append(
            Customer(
                customer_id=cid,
                name=f"{PLACES[i % 12]}{BRANDS[i % 9]}{TRADES[i * 5 % 9]}有限公司",
                rep=rep,
                credit_grade=REPS[rep].grades[i % 9],
                key_account=i % 4 == 0,
                contact=rng.choice(SURNAMES) + rng.choice(GIVEN),
                phone=phone,
                email=f"caiwu.{cid.lower()}@example.cn" if rng.random() < 0.4 else None,
            )
        )
    return out


def _split(total: Decimal, days: list[int]) -> list[Decimal]:
    """Installments of a total over the given days, in thousands, the last taking the rest."""
    if len(days) == 1:
        return [total]
    parts = [_money(float(total) / len(days)) for _ in days[:-1]]
    return [*parts, max(Decimal(1000), total - sum(parts))]


def _due_days(rng: random.Random, scenario: str) -> list[int]:
    n = rng.choice((1, 2, 2, 3, 3))
    if scenario in "PB":  # the first installment is well past due
        return sorted([rng.randint(3, 10), *rng.sample(range(12, 29), n - 1)])
    if scenario == "K":  # everything due before the 21st
        return sorted(rng.sample(range(3, 21), n))
    if scenario == "O":  # the last one still to come
        return sorted([*rng.sample(range(3, 20), n - 1), rng.randint(25, 28)])
    return sorted(rng.sample(range(2, 29), n))  # history


class _Team:
    """Collects the records of the demo team, month by month."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.excuses = itertools.cycle(EXCUSE_KINDS)  # so that every kind turns up
        self.kinds = MEASURE_KINDS[:-1]  # every kind but the last, "other"
        self.customers = _customers(rng)
        self.plan: list[PlanRow] = []
        self.measures: list[Measure] = []
        self.commitments: list[Installment] = []
        self.receipts: list[Receipt] = []
        self.followups: list[FollowUp] = []

    def month(self, m: date, current: bool) -> None:
        rng = self.rng
        for i, c in enumerate(self.customers):
            story = REPS[c.rep]
            scenario = story.scenarios[i % 9] if current else "H"
            target = _money(rng.uniform(50_000, 800_000))
            expected = _money(float(target) * rng.uniform(0.55, 0.9), 500)
            ask = _money(float(expected) * rng.uniform(*story.anchor))
            joint = rng.random() < story.joint
            agreed_on = m - timedelta(days=rng.randint(1, 5)) if joint else None
            self.plan.append(
                PlanRow(
                    month=m,
                    customer_id=c.customer_id,
                    target=target,
                    expected=expected,
                    ask=ask,
                    agreed_jointly=joint,
                    agreed_on=agreed_on,
                )
            )
            committed = Decimal(0)
            if scenario != "N" and (current or rng.random() < story.commits):
                # the customer knocks its habitual share off the ask
                committed = min(target, _money(float(ask) * rng.uniform(0.6, 0.85)))
                self.promise(m, c, story, scenario, committed, agreed_on or m)
            else:
                self.plead(m, c, story, expected)
            if target > committed and rng.random() < story.measured:
                self.aim(m, c, story, target - committed, current)

    def promise(self, m: date, c: Customer, story: Story, scenario: str, total, on) -> None:
        """Installments of a promise, the money paid on them and the follow-ups."""
        rng = self.rng
        days = _due_days(rng, scenario)
        for day, amount in zip(days, _split(total, days), strict=True):
            due = _day(m, day)
            self.commitments.append(
                Installment(customer_id=c.customer_id, due=due, amount=amount, promised_on=on)
            )
            if scenario in "PB":  # P pays half the first installment, B nothing
                share = Decimal("0.5") if scenario == "P" and day == days[0] else Decimal(0)
            elif scenario == "H" and rng.random() > story.reliability:
                share = rng.choice((Decimal(0), Decimal("0.5")))
            else:
                share = Decimal(1)
            paid = (amount * share).quantize(Decimal(1))
            if rng.random() < story.diligence:  # a reminder before the due date
                self.follow(due - timedelta(days=rng.randint(1, 3)), c, PROMISED, story)
            if paid:
                day_paid = min(due + timedelta(days=rng.randint(0, 2)), _day(m, 31))
                self.pay(day_paid, c, paid)
                if rng.random() < story.diligence:
                    self.follow(day_paid, c, PAID if paid == amount else PARTIAL, story)
            if paid < amount:  # chased: soon by the diligent, late by the others
                soon = rng.random() < story.diligence
                late = timedelta(days=rng.randint(1, 2) if soon else rng.randint(6, 12))
                result = EXCUSE if rng.random() < 0.8 else NO_ANSWER
                self.follow(due + late, c, result, story, amount - paid)

    def plead(self, m: date, c: Customer, story: Story, expected: Decimal) -> None:
        """No promise: the customer gives a reason; some money may come anyway."""
        rng = self.rng
        self.follow(_day(m, rng.randint(3, 12)), c, EXCUSE, story, _money(float(expected) / 2))
        if rng.random() < 0.5:
            amount = _money(float(expected) * rng.uniform(0.1, 0.4))
            self.pay(_day(m, rng.randint(5, 25)), c, amount)

    def aim(self, m: date, c: Customer, story: Story, gap: Decimal, current: bool) -> None:
        """1–3 measures aimed at the gap, covering the rep's usual share of it."""
        rng = self.rng
        chosen = rng.sample(self.kinds, rng.randint(1, 3))
        each = float(gap) * rng.uniform(*story.coverage) / len(chosen)
        for kind in chosen:
            status = DONE if not current or rng.random() < 0.4 else PLANNED
            self.measures.append(
                Measure(
                    month=m,
                    customer_id=c.customer_id,
                    kind=kind.key,
                    contribution=_money(each, 500),
                    description=f"{kind.zh}：与{c.contact}商定",
                    owner=c.rep,
                    due=_day(m, rng.randint(10, 28)),
                    status=DROPPED if rng.random() < 0.1 else status,
                )
            )

    def pay(self, day: date, c: Customer, amount: Decimal) -> None:
        ref = f"HK{day:%y%m%d}{len(self.receipts) + 1:04d}"
        self.receipts.append(
            Receipt(date=day, customer_id=c.customer_id, amount=amount, reference=ref)
        )

    def follow(self, day: date, c: Customer, result: str, story: Story, unpaid=None) -> None:
        rng = self.rng
        channels = (CALL, CALL, VISIT, MESSAGE) if c.key_account else (CALL, CALL, MESSAGE)
        kind, accepted, note = None, False, "提醒到期付款，客户确认" if result == PROMISED else None
        if result == EXCUSE:
            kind = next(self.excuses)
            accepted = rng.random() < story.accepts
            note = f"客户称{kind.zh}，要求缓付" + ("，已同意" if accepted else "，未接受")
        self.followups.append(
            FollowUp(
                date=day,
                customer_id=c.customer_id,
                result=result,
                channel=rng.choice(channels),
                excuse_kind=kind.key if kind else None,
                excuse_accepted=accepted,
                deferred=unpaid if accepted else None,
                note=note,
            )
        )


def demo_book(month: date = date(2026, 11, 1), as_of: date | None = None) -> Book:
    """The demo team's book for `month` and the two months before, as known on `as_of`.

    `as_of` defaults to the 23rd of `month`; receipts and follow-ups after it
    have not happened yet and are left out.
    """
    month = month.replace(day=1)
    as_of = as_of or _day(month, 23)
    team = _Team(random.Random(20261123))
    for back in (2, 1, 0):
        team.month(_shift(month, -back), current=back == 0)
    return Book(
        customers=tuple(team.customers),
        plan=tuple(team.plan),
        measures=tuple(team.measures),
        commitments=tuple(team.commitments),
        receipts=tuple(r for r in team.receipts if r.date <= as_of),
        followups=tuple(sorted((f for f in team.followups if f.date <= as_of), key=_by_date)),
        reps=TEAM_REPS,
    )


def _by_date(f: FollowUp) -> date:
    return f.date
