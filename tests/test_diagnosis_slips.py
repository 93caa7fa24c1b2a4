"""Issue 13, item 5, as a user meets it: `huikuan refresh` / `diagnose` on a real workbook.

A customer who paid every installment in full on its due day flags no cause; an excuse
logged on a contact whose result is 部分 (partial) is counted in Excuses. Every figure
below is worked by hand from the rows typed here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from books import HEADERS, Tab, huikuan, table_rows, write_book

AS_OF = "2026-11-23"


def team(path: Path) -> Path:
    """王强: C005 (grade B) target 8万, committed 8万 due 11-10, paid 8万 on 11-10, never
    called. 李娜: C006 (grade B) target 10万, committed 10万 due 11-12, paid 4万 on 11-16;
    on 11-13 a call with result 部分 where the customer pleaded 下游拖欠, accepted,
    deferring 6万."""
    h = HEADERS["zh"]
    return write_book(
        path,
        [
            Tab(
                "Customers",
                h["Customers"],
                [["C005", "五号公司", "王强", "B", "否"], ["C006", "六号公司", "李娜", "B", "否"]],
            ),
            Tab(
                "Plan",
                h["Plan"],
                [["2026-11", "C005", "8万", "是"], ["2026-11", "C006", "10万", "是"]],
            ),
            Tab(
                "Commitments",
                h["Commitments"],
                [["C005", date(2026, 11, 10), 80000], ["C006", date(2026, 11, 12), 100000]],
            ),
            Tab(
                "Receipts",
                h["Receipts"],
                [
                    [date(2026, 11, 10), "C005", "8万", "R1"],
                    [date(2026, 11, 16), "C006", 40000, "R2"],
                ],
            ),
            Tab(
                "FollowUps",
                [*h["FollowUps"], "推迟金额"],
                [[date(2026, 11, 13), "C006", "电话", "部分", "下游拖欠", "是", "6万"]],
            ),
        ],
    )


def rows_by(path: Path, table: str) -> list[dict[str, object]]:
    _, header, rows = table_rows(path, table)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_paid_on_the_due_day_flags_no_cause_and_a_partial_contacts_excuse_counts(
    tmp_path: Path,
) -> None:
    book = team(tmp_path / "回款.xlsx")
    done = huikuan("refresh", book, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr

    diagnosis = rows_by(book, "Diagnosis")
    wang = {r["原因"]: r for r in diagnosis if r["业务员"] == "王强"}
    assert len(wang) == 6
    # C005: no joint-plan issue (是), gap 0, committed, paid by the due day (not counted
    # for 承诺未跟踪: 0 of 0 → 0), no excuse, no expectation → nothing flagged.
    assert [cause for cause, r in wang.items() if r["预警"] == "是"] == []
    assert all("C005" not in str(r["建议措施"]) for r in wang.values())
    followed = next(r for c, r in wang.items() if "跟踪" in str(c))
    assert followed["指标"] == 0 and followed["涉及金额"] == 0

    # 李娜's C006 installment was not paid by its due day and was followed on 11-13 (window
    # [11-09, 11-15]): 0 of 1 unfollowed; but 4万 of 10万 received after 11-15 → partial.
    li = {r["原因"]: r for r in diagnosis if r["业务员"] == "李娜"}
    followed = next(r for c, r in li.items() if "跟踪" in str(c))
    assert followed["指标"] == 0
    assert followed["涉及金额"] == 60000  # the overdue part of the partial promise
    # demands too low: 6万 accepted on a 部分 contact ÷ target 10万 = 0.6 > 0.05
    low = next(r for c, r in li.items() if "要求" in str(c))
    assert low["指标"] == 0.6 and low["涉及金额"] == 60000 and low["预警"] == "是"

    excuses = rows_by(book, "Excuses")
    assert [
        (r["业务员"], r["理由类型"], r["次数"], r["接受次数"], r["推迟金额"], r["客户"])
        for r in excuses
    ] == [
        ("李娜", "下游拖欠", 1, 1, 60000, "C006"),
        ("全部", "下游拖欠", 1, 1, 60000, "C006"),
    ]

    shown = huikuan("diagnose", book, "--as-of", AS_OF, "--rep", "王强")
    assert shown.returncode == 0, shown.stderr
    assert "C005" not in shown.stdout and "⚠" not in shown.stdout
