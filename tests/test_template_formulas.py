"""The template's live Plan formulas, recalculated by LibreOffice, agree with the engine.

SPEC: "The template's own formulas, the cell functions and `refresh` agree to the fen
on the same inputs." Amounts must equal the engine's Decimal rounded half-up to the
fen; ratios must match to 1e-9.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from huikuan import contract as ct
from huikuan.engine.status import StatusRow, status
from huikuan.model import Book, Customer, Installment, Measure, PlanRow, Receipt
from huikuan.values import fen
from huikuan.workbook.template import CHECK, FORMULA_KEYS, LANGS, build_template, formula_label
from libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

AS_OF = date(2026, 11, 15)
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
D = Decimal


def definitions_book() -> Book:
    """Every case of SPEC's definitions: month edges, dropped measures, gap 0, target 0,
    fractions of a fen, and amounts whose binary floats sit just below a half fen."""
    customers = tuple(
        Customer(customer_id=f"C{n:03}", name=f"客户{n}", rep="王五" if n % 2 else "李四")
        for n in range(1, 10)
    )
    plan = (
        PlanRow(month=OCT, customer_id="C001", target=D(100000)),
        PlanRow(month=NOV, customer_id="C001", target=D(50000)),
        PlanRow(month=OCT, customer_id="C002", target=D(80000)),  # over-committed: gap 0
        PlanRow(month=OCT, customer_id="C003", target=D(0)),  # no completion
        PlanRow(month=NOV, customer_id="C004", target=D("1234.565")),
        PlanRow(month=NOV, customer_id="C005", target=D(5000)),  # nothing done: coverage 0
        PlanRow(month=OCT, customer_id="C006", target=D(10000)),  # measures exceed the gap
        PlanRow(month=NOV, customer_id="C007", target=D("10.015")),
        PlanRow(month=NOV, customer_id="C008", target=D("2.675")),
        PlanRow(month=OCT, customer_id="C008", target=D("1234.56")),
    )
    due = Installment
    commitments = (
        due(customer_id="C001", due=date(2026, 10, 1), amount=D(40000)),
        due(customer_id="C001", due=date(2026, 10, 31), amount=D("30000.5")),
        due(customer_id="C001", due=date(2026, 11, 1), amount=D(20000)),  # November's
        due(customer_id="C001", due=date(2026, 9, 30), amount=D(5000)),  # September's
        due(customer_id="C002", due=date(2026, 10, 20), amount=D(90000)),
        due(customer_id="C003", due=date(2026, 10, 20), amount=D(100)),
        due(customer_id="C004", due=date(2026, 11, 3), amount=D("0.005")),
        due(customer_id="C004", due=date(2026, 11, 30), amount=D("1000.004")),
        due(customer_id="C006", due=date(2026, 10, 9), amount=D(2500)),
        due(customer_id="C007", due=date(2026, 11, 9), amount=D("0.01")),
        due(customer_id="C008", due=date(2026, 11, 9), amount=D("1.33")),
    )

    def measure(month: date, customer: str, amount: str, state: str = "planned") -> Measure:
        return Measure(
            month=month,
            customer_id=customer,
            kind="incentive",
            contribution=D(amount),
            status=state,
        )

    measures = (
        measure(OCT, "C001", "10000"),
        measure(OCT, "C001", "5000", "dropped"),
        measure(OCT, "C001", "2000", "done"),
        measure(NOV, "C001", "777.77", "dropped"),
        measure(OCT, "C002", "3000"),
        measure(NOV, "C004", "0.005"),
        measure(NOV, "C004", "0.015", "done"),
        measure(OCT, "C006", "9000"),
        measure(NOV, "C007", "1.005"),
        measure(NOV, "C008", "0.335"),
        measure(NOV, "C009", "999"),  # no plan row
    )
    receipts = (
        Receipt(date=date(2026, 10, 10), customer_id="C001", amount=D(35000)),
        Receipt(date=date(2026, 10, 31), customer_id="C001", amount=D("1234.56")),
        Receipt(date=date(2026, 11, 2), customer_id="C001", amount=D(9999)),
        Receipt(date=date(2026, 10, 5), customer_id="C003", amount=D(500)),
        Receipt(date=date(2026, 11, 15), customer_id="C004", amount=D("0.005")),
        Receipt(date=date(2026, 12, 1), customer_id="C004", amount=D("1234.56")),
        Receipt(date=date(2026, 11, 1), customer_id="C007", amount=D("1.005")),
        Receipt(date=date(2026, 11, 30), customer_id="C008", amount=D("2.675")),
        Receipt(date=date(2026, 9, 30), customer_id="C008", amount=D(1)),
    )
    return Book(
        customers=customers,
        plan=plan,
        measures=measures,
        commitments=commitments,
        receipts=receipts,
    )


def books() -> dict[str, Callable[[], Book]]:
    """The books to check: ours, and the lead's demo book once it exists."""
    found: dict[str, Callable[[], Book]] = {"definitions": definitions_book}
    if importlib.util.find_spec("huikuan.demo") is not None:
        found["demo"] = importlib.import_module("huikuan.demo").demo_book
    return found


def plan_cells(path: Path, lang: str, data_only: bool) -> dict[tuple[date, str], dict]:
    """Plan's rows by (month, customer ID): each Status key of FORMULA_KEYS (and CHECK)
    → cell value."""
    ws = openpyxl.load_workbook(path, data_only=data_only)[ct.PLAN.name]
    header, *rows = ws[ws.tables[ct.PLAN.name].ref]
    where = {cell.value: i for i, cell in enumerate(header)}
    month, customer = (where[ct.PLAN.column(k).label(lang)] for k in ("month", "customer_id"))
    found = {}
    for row in rows:
        day = row[month].value
        key = (day.date() if isinstance(day, datetime) else day, row[customer].value)
        found[key] = {k: row[where[ct.STATUS.column(k).label(lang)]].value for k in FORMULA_KEYS}
        found[key][CHECK] = row[where[formula_label(CHECK, lang)]].value
    return found


def differences(expected: StatusRow, cells: dict) -> list[str]:
    """Where a recalculated row disagrees with the engine (empty when they agree)."""
    wrong = []
    for key in FORMULA_KEYS:
        want, got = getattr(expected, key), cells[key]
        if ct.STATUS.column(key).kind is ct.Kind.AMOUNT:
            ok = isinstance(got, (int, float)) and Decimal(repr(got)) == fen(want)
            want = fen(want)
        elif want is None:
            ok = got in (None, "")
        else:
            ok = isinstance(got, (int, float)) and got == pytest.approx(float(want), rel=1e-9)
        if not ok:
            wrong.append(
                f"{expected.month} {expected.customer.customer_id} {key}: "
                f"LibreOffice {got!r}, engine {want}"
            )
    return wrong


@pytest.mark.parametrize("name", books())
@pytest.mark.parametrize("lang", LANGS)
def test_recalculated_plan_formulas_agree_with_the_engine(
    name: str, lang: str, tmp_path: Path, lo_profile: Path, soffice: str
) -> None:
    book = books()[name]()
    source = tmp_path / f"{name}-{lang}.xlsx"
    build_template(lang, book).save(source)
    # openpyxl stores formulas without cached values: every number read back below
    # was computed by LibreOffice, not left over from the file we wrote
    assert all(
        v is None for row in plan_cells(source, lang, data_only=True).values() for v in row.values()
    )
    result = plan_cells(recalculate(source, tmp_path / "out", lo_profile, soffice), lang, True)

    engine = status(book, AS_OF)
    assert len(result) == len(book.plan) == len(engine)
    wrong = []
    for row in engine:
        cells = result[row.month, row.customer.customer_id]
        assert all(cells[k] is not None for k in FORMULA_KEYS if k != "completion"), cells
        assert cells[CHECK] in (None, ""), cells  # numbers and dates only: no warning
        wrong += differences(row, cells)
    assert not wrong, "\n".join(wrong)


def test_definitions_book_exercises_every_case() -> None:
    """The book above really holds the cases it claims (so the test above means something)."""
    rows = {(r.month, r.customer.customer_id): r for r in status(definitions_book(), AS_OF)}
    assert rows[OCT, "C001"].committed == D("70000.5")
    assert rows[OCT, "C001"].contribution == D(12000)
    assert rows[OCT, "C002"].gap == 0 and rows[OCT, "C002"].coverage == 1
    assert rows[OCT, "C003"].completion is None
    assert rows[NOV, "C005"].coverage == 0
    assert rows[OCT, "C006"].remaining_gap == 0 and rows[OCT, "C006"].coverage > 1
    assert fen(rows[NOV, "C007"].gap) == D("10.01")  # 10.005, half-up
    assert fen(rows[NOV, "C008"].received) == D("2.68")  # 2.675: its float is below the half
