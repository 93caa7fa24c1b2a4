"""NEXT_FOLLOWUP and FOLLOWUP_DATES give refresh's Schedule for every demo customer
(issue 13 item 8), the customers with no commitment yet included.

The team workbook is written and refreshed by the real command (`huikuan demo`); its
Schedule sheet is read back with openpyxl. Each customer's cells are what a user would
point the functions at: the customer's Commitments rows, this month's receipts, the
Customers row's grade and key account, the Plan row's target and the latest FollowUps
date. The demo uses the built-in Policy and no Holidays rows, which the functions
cannot see.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from books import huikuan, table_rows
from huikuan import contract as ct
from huikuan.engine.policy import DEFAULT_POLICY, policy_from
from huikuan.jobs import load
from huikuan.udfs import FOLLOWUP_DATES, NEXT_FOLLOWUP

AS_OF = date(2026, 11, 23)
NOV = date(2026, 11, 1)


def col(*values: object) -> list[list[object]]:
    return [[v] for v in values]


def day(value: object) -> object:
    return value.date() if isinstance(value, datetime) else value


@pytest.fixture(scope="module", params=["zh", "en"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("udf") / f"demo-{request.param}.xlsx"
    done = huikuan("demo", "-o", path, "--lang", request.param, "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    return path


def test_the_cell_functions_give_refreshs_schedule_for_every_demo_customer(demo: Path) -> None:
    book, problems = load(demo)
    assert problems == []
    # what the functions cannot see: the Policy rows are the built-in ones, no Holidays
    assert not book.holidays and policy_from(book.cadences) == DEFAULT_POLICY
    lang = book.lang
    _, header, rows = table_rows(demo, "Schedule")
    at = {h: n for n, h in enumerate(header)}

    def cell(row: list[object], key: str) -> object:
        return row[at[ct.SCHEDULE.column(key).label(lang)]]

    sheet: dict[str, list[list[object]]] = defaultdict(list)
    for r in rows:
        sheet[str(cell(r, "customer_id"))].append(
            [
                day(cell(r, "date")),
                cell(r, "action"),
                day(cell(r, "installment_due")),
                cell(r, "amount_at_stake"),
            ]
        )

    plan = {p.customer_id: p for p in book.plan if p.month == NOV}
    uncommitted = []
    for customer in book.customers:
        cid = customer.customer_id
        mine = [i for i in book.commitments if i.customer_id == cid]
        dues = col(*(i.due for i in mine), None)  # a blank row below, as a typed table has
        amounts = col(*(float(i.amount) for i in mine), None)
        received = col(
            *(float(r.amount) for r in book.receipts if r.customer_id == cid and r.date >= NOV)
        )
        last = max((f.date for f in book.followups if f.customer_id == cid and f.date <= AS_OF),
                   default=None)  # fmt: skip
        target = float(plan[cid].target)
        args = (dues, amounts, received, customer.credit_grade, AS_OF, customer.key_account)
        got = FOLLOWUP_DATES(*args, lang, target, last)
        want = sheet.get(cid) or None
        assert got == want, cid
        assert NEXT_FOLLOWUP(*args, target, last) == (want[0][0] if want else None), cid
        if not any(i.due >= NOV for i in mine):
            uncommitted.append(cid)
            # the weekly get-a-commitment action, at stake the target
            label = ct.choice_label(ct.ACTIONS, "get_commitment", lang)
            assert want and {a for _, a, _, _ in want} == {label}, cid
            assert {s for _, _, _, s in want} == {target}
            # without the target the same days, the amount left empty
            plain = FOLLOWUP_DATES(*args, lang, None, last)
            assert [r[:3] for r in plain] == [r[:3] for r in want]
            assert {r[3] for r in plain} == {None}
    # the count: 7 demo customers have no commitment yet
    assert len(uncommitted) == 7
