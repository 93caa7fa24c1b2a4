"""Amounts and dates typed as text (issue 13 item 3): refresh, the cell functions and the
template's formulas after LibreOffice recalculation give the same figures — or the
template's row carries a visible warning in its Formula check column.

The team: two reps, eight customers, November 2026, as of 2026-11-23, typed into the
template as people type, every figure below worked by hand (refresh's Status):

  cust rep  grade  target     installments (due: amount)      measures  receipts
  C001 王强 A      "12.5万"   11-10: 60000, 11-25: 40000       -         11-10: 50000
  C002 王强 B      100000     11-05: 50000, 11-20: 50000       -         11-05: 30000, 11-20: 20000
  C003 王强 C      80000      11-15: "3万", 11-28: 20000       10000     11-12: 10000
  C004 王强 B      90000 (month typed "2026-11")  11-20: 90000 -         -
  C005 李娜 B      60000      11-15: 60000                     -         11-15: 60000
  C006 李娜 B      50000      11-10: 20000, 11-25: "3万"       -         11-18: 20000
  C007 李娜 D      40000      11-12: 20000                     "2万"     11-20: "¥8,000"
  C008 李娜 B      70000      "2026/11/20": 70000              -         11-21: 35000

  cust  committed  gap     measures  remaining  coverage  received  completion
  C001  100000     25000   0         25000      0         50000     0.4
  C002  100000     0       0         0          1         50000     0.5
  C003  50000      30000   10000     20000      1/3       10000     0.125
  C004  90000      0       0         0          1         0         0
  C005  60000      0       0         0          1         60000     1
  C006  50000      0       0         0          1         20000     0.4
  C007  20000      20000   20000     0          1         8000      0.2
  C008  70000      0       0         0          1         35000     0.5
  team target 615000, committed 540000, received 233000.

The formulas skip text (SUMIFS) or fail on it: C001's text target, C003's and C006's
text installments (the issue's C006: 20000 where refresh says 50000), C004's text month,
C007's text measure and receipt (the issue's C007: measures 0 vs 20000), C008's text due
date. Those six rows must warn; C002 and C005 must agree and not warn.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from books import huikuan, table_rows
from huikuan import contract as ct
from huikuan.model import Book, Customer, Installment, Measure, PlanRow, Receipt
from huikuan.udfs import (
    AMOUNT,
    COMPLETION,
    COVERAGE,
    GAP,
    NEXT_FOLLOWUP,
    PROMISE_STATUS,
    REMAINING_GAP,
)
from huikuan.workbook.template import CHECK, FORMULA_KEYS, build_template, formula_label
from libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

AS_OF = date(2026, 11, 23)
NOV = date(2026, 11, 1)
D = Decimal

# refresh's figures, worked by hand above: committed, gap, measures, remaining, coverage,
# received, completion
HAND = {
    "C001": (100000, 25000, 0, 25000, 0, 50000, Fraction(2, 5)),
    "C002": (100000, 0, 0, 0, 1, 50000, Fraction(1, 2)),
    "C003": (50000, 30000, 10000, 20000, Fraction(1, 3), 10000, Fraction(1, 8)),
    "C004": (90000, 0, 0, 0, 1, 0, 0),
    "C005": (60000, 0, 0, 0, 1, 60000, 1),
    "C006": (50000, 0, 0, 0, 1, 20000, Fraction(2, 5)),
    "C007": (20000, 20000, 20000, 0, 1, 8000, Fraction(1, 5)),
    "C008": (70000, 0, 0, 0, 1, 35000, Fraction(1, 2)),
}
WARNED = {"C001", "C003", "C004", "C006", "C007", "C008"}
TARGETS = {"C001": 125000, "C002": 100000, "C003": 80000, "C004": 90000,
           "C005": 60000, "C006": 50000, "C007": 40000, "C008": 70000}  # fmt: skip


def nov(day: int) -> date:
    return date(2026, 11, day)


def numeric_book() -> Book:
    """The team with every value as a number or date: the text goes in afterwards."""
    reps = {"C001": ("王强", "A"), "C002": ("王强", "B"), "C003": ("王强", "C"),
            "C004": ("王强", "B"), "C005": ("李娜", "B"), "C006": ("李娜", "B"),
            "C007": ("李娜", "D"), "C008": ("李娜", "B")}  # fmt: skip
    customers = tuple(
        Customer(customer_id=c, name=f"客户{c}", rep=r, credit_grade=g)
        for c, (r, g) in reps.items()
    )
    plan = tuple(
        PlanRow(month=NOV, customer_id=c, target=D(t), agreed_jointly=True)
        for c, t in TARGETS.items()
    )

    def inst(c: str, day: int, amount: int) -> Installment:
        return Installment(customer_id=c, due=nov(day), amount=D(amount))

    def paid(c: str, day: int, amount: int) -> Receipt:
        return Receipt(date=nov(day), customer_id=c, amount=D(amount))

    return Book(
        customers=customers,
        plan=plan,
        commitments=(
            inst("C001", 10, 60000),
            inst("C001", 25, 40000),
            inst("C002", 5, 50000),
            inst("C002", 20, 50000),
            inst("C003", 15, 30000),
            inst("C003", 28, 20000),
            inst("C004", 20, 90000),
            inst("C005", 15, 60000),
            inst("C006", 10, 20000),
            inst("C006", 25, 30000),
            inst("C007", 12, 20000),
            inst("C008", 20, 70000),
        ),
        measures=(
            Measure(month=NOV, customer_id="C003", kind="promotion", contribution=D(10000)),
            Measure(month=NOV, customer_id="C007", kind="incentive", contribution=D(20000)),
        ),
        receipts=(
            paid("C001", 10, 50000),
            paid("C002", 5, 30000),
            paid("C002", 20, 20000),
            paid("C003", 12, 10000),
            paid("C005", 15, 60000),
            paid("C006", 18, 20000),
            paid("C007", 20, 8000),
            paid("C008", 21, 35000),
        ),
    )


# (table, n-th data row (1-based), column key, the text typed there)
TYPED = [
    ("Plan", 1, "target", "12.5万"),
    ("Plan", 4, "month", "2026-11"),
    ("Commitments", 5, "amount", "3万"),
    ("Commitments", 10, "amount", "3万"),
    ("Commitments", 12, "due", "2026/11/20"),
    ("Measures", 2, "contribution", "2万"),
    ("Receipts", 7, "amount", "¥8,000"),
]


def typed_book(path: Path, lang: str) -> Path:
    wb = build_template(lang, numeric_book())
    for name, n, key, text in TYPED:
        table = next(t for t in ct.INPUT_TABLES if t.name == name)
        ws = wb[name]
        c0, r0, _, _ = range_boundaries(ws.tables[name].ref)
        col = c0 + [c.key for c in table.columns].index(key)
        ws.cell(r0 + n, col).value = text
    wb.save(path)
    return path


def by_customer(path: Path, table: str, lang: str) -> dict[str, dict[str, object]]:
    """Rows of `table` by customer ID, each {column label: value} (one row per customer);
    formula cells give the values the file holds (as LibreOffice or refresh left them)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    header, *rows = ([c.value for c in r] for r in ws[ws.tables[table].ref])
    cid = ct.CUSTOMERS.column("customer_id").label(lang)
    return {str(r[header.index(cid)]): dict(zip(header, r, strict=True)) for r in rows}


def raw(path: Path, table: str) -> list[dict[str, object]]:
    """A table's rows as openpyxl reads the cells (text stays text), by column key."""
    spec = next(t for t in ct.INPUT_TABLES if t.name == table)
    _, header, rows = table_rows(path, table)
    keys = {col.label(lang): col.key for col in spec.columns for lang in ("zh", "en")}
    return [{keys[h]: v for h, v in zip(header, r, strict=True) if h in keys} for r in rows]


def same(got: object, want: Fraction | int) -> bool:
    return isinstance(got, (int, float)) and abs(Fraction(got) - Fraction(want)) < Fraction(
        1, 10**9
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_typed_into_the_template_agrees_everywhere_or_warns_in_its_row(
    lang: str, tmp_path: Path, lo_profile: Path, soffice: str
) -> None:
    book = typed_book(tmp_path / f"team-{lang}.xlsx", lang)
    label = {c.key: c.label(lang) for c in ct.STATUS.columns}

    # 1. refresh reads the text and gives the hand-worked figures
    refreshed = tmp_path / "refreshed.xlsx"
    done = huikuan("refresh", book, "-o", refreshed, "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stderr
    status = by_customer(refreshed, "Status", lang)
    assert set(status) == set(HAND)
    keys = FORMULA_KEYS
    for cid, want in HAND.items():
        row = status[cid]
        assert row[label["target"]] == TARGETS[cid], cid
        got = [row[label[k]] for k in keys]
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (cid, got, want)
    assert sum(r[label["target"]] for r in status.values()) == 615000
    assert sum(r[label["committed"]] for r in status.values()) == 540000
    assert sum(r[label["received"]] for r in status.values()) == 233000

    # 2. the template's formulas after LibreOffice: agree, or warn in that row
    lo = recalculate(book, tmp_path / "lo", lo_profile, soffice)
    plan = by_customer(lo, "Plan", lang)
    check = formula_label(CHECK, lang)
    warned = set()
    for cid, want in HAND.items():
        cells = plan[cid]
        warning = cells[check]
        agrees = all(same(cells[label[k]], w) for k, w in zip(keys, want, strict=True))
        if warning:
            assert isinstance(warning, str) and warning.startswith("⚠"), (cid, warning)
            warned.add(cid)
        else:
            assert agrees, (cid, {k: cells[label[k]] for k in keys}, want)
    assert warned == WARNED
    # the silent wrong numbers are there, and now flagged in their rows
    assert plan["C006"][label["committed"]] == 20000 and plan["C006"][check]
    assert plan["C007"][label["contribution"]] == 0 and plan["C007"][check]
    said = {cid: str(plan[cid][check]) for cid in WARNED}
    tables = ("承诺", "措施", "回款") if lang == "zh" else ("Commitments", "Measures", "Receipts")
    assert tables[0] in said["C006"] and tables[0] in said["C008"]
    assert tables[1] in said["C007"] and tables[2] in said["C007"]
    assert tables[0] not in said["C007"]

    # 3. the cell functions on the same cells, text and all, give refresh's figures
    customers = {str(r["customer_id"]): r for r in raw(book, "Customers")}
    targets = {str(r["customer_id"]): r["target"] for r in raw(book, "Plan")}
    commitments, measures, receipts = (
        raw(book, t) for t in ("Commitments", "Measures", "Receipts")
    )
    for cid, (committed, gap, contribution, remaining, coverage, received, done_) in HAND.items():
        mine = [r for r in commitments if r["customer_id"] == cid]
        dues = [[r["due"]] for r in mine]
        amounts = [[r["amount"]] for r in mine]
        paid = [[r["amount"]] for r in receipts if r["customer_id"] == cid]
        measured = [[r["contribution"]] for r in measures if r["customer_id"] == cid] or [[0]]
        grade = customers[cid]["credit_grade"]
        target = targets[cid]
        sum_committed = sum(AMOUNT(v) for (v,) in amounts)  # =AMOUNT(cell) per cell, summed
        sum_measures = sum(AMOUNT(v) for (v,) in measured)
        sum_received = sum(AMOUNT(v) for (v,) in paid)
        assert (sum_committed, sum_measures, sum_received) == (committed, contribution, received)
        assert GAP(target, sum_committed) == gap, cid
        assert REMAINING_GAP(target, sum_committed, sum_measures) == remaining, cid
        assert same(COVERAGE(gap, sum_measures), coverage), cid
        assert same(COMPLETION(sum_received, target), done_), cid
        row = status[cid]
        assert (
            PROMISE_STATUS(dues, amounts, paid or 0, AS_OF, grade, lang)
            == (row[label["promise_status"]])
        ), cid
        nxt = row[label["next_follow_up"]]
        nxt = nxt.date() if isinstance(nxt, datetime) else nxt
        assert NEXT_FOLLOWUP(dues, amounts, paid or 0, grade, AS_OF, None, target) == nxt, cid
