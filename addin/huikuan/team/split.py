"""`huikuan split`: one workbook per rep, holding only that rep's customers and their rows.

Each rep's file is built fresh from the rep's records with the template
(live formulas, drop-downs, guide) and refreshed in memory, never by copying
the team file and deleting rows: nothing of another rep can hide in a hidden
sheet, a defined name, a pivot cache, a validation list or the shared strings.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..errors import Unusable
from ..model import Book, Problem
from ..workbook.files import FileTables
from ..workbook.reader import read_book
from .books import rep_book, reps_of, safe_stem, save_refreshed
from .mail import Figures, address, manager_address, rep_message
from .sent import sent_table


@dataclass(frozen=True)
class RepFile:
    rep: str
    path: Path
    customers: int
    rows: int
    eml: Path | None = None
    to: str | None = None
    cc: str | None = None
    warnings: tuple[tuple[str, str], ...] = ()  # (en, zh)


@dataclass
class SplitResult:
    book: Book
    problems: list[Problem]
    files: list[RepFile] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems or any(f.warnings for f in self.files) else 0


def _rows(book: Book) -> int:
    return sum(
        len(getattr(book, f)) for f in ("plan", "measures", "commitments", "receipts", "followups")
    )


def split(
    team: Path,
    out_dir: Path,
    as_of: date,
    eml: bool = False,
    force: bool = False,
    sender: str | None = None,
) -> SplitResult:
    """Write DIR/<rep>.xlsx (and with `eml` DIR/<rep>.eml) for every rep with customers."""
    book, problems = read_book(FileTables(team))
    if out_dir.exists() and not out_dir.is_dir():
        raise Unusable(f"{out_dir}: not a folder", f"{out_dir}：不是文件夹")
    reps = reps_of(book)
    if not reps:
        raise Unusable(f"{team.name}: no customers to split", f"{team.name}：没有可分发的客户")
    taken: set[str] = set()
    stems = {rep: safe_stem(rep, taken) for rep in reps}
    if not force:
        clash = [
            p.name
            for rep in reps
            for p in (out_dir / f"{stems[rep]}.xlsx", out_dir / f"{stems[rep]}.eml")
            if p.exists() and (eml or p.suffix == ".xlsx")
        ]
        if clash:
            raise Unusable(
                f"{', '.join(clash)} exist in {out_dir}; not overwritten (use --force to replace)",
                f"{out_dir} 中已有 {'、'.join(clash)}，未覆盖（如需替换请加 --force）",
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    result = SplitResult(book, problems)
    with_customers = set(reps)
    for row in book.reps:
        if row.rep not in with_customers and not any(r.manager == row.rep for r in book.reps):
            result.notes.append(
                (f"{row.rep} has no customers: no workbook", f"{row.rep} 没有客户，未生成工作簿")
            )
    month = as_of.replace(day=1)
    sender = address(sender) if sender else None
    for rep in reps:
        sub = rep_book(book, rep)
        path = out_dir / f"{stems[rep]}.xlsx"
        save_refreshed(
            sub, as_of, path, extra=[sent_table(sub, rep, as_of)]
        )  # hidden: team/sent.py
        rep_file = RepFile(rep, path, len(sub.customers), _rows(sub))
        if eml:
            rep_file = _email(rep_file, sub, book, month, sender)
        result.files.append(rep_file)
    return result


def _email(rep_file: RepFile, sub: Book, team: Book, month: date, sender: str | None) -> RepFile:
    own = sub.reps[0]
    warnings: list[tuple[str, str]] = []
    to = address(own.email, own.rep)
    if to is None:
        warnings.append(
            (
                f"{own.rep}: no email address in Reps ({own.email or 'blank'}); the .eml has no To",
                f"{own.rep}：业务员表中没有有效邮箱（{own.email or '空'}），邮件未填收件人",
            )
        )
    cc = manager_address(own.manager, team.reps)
    if own.manager and cc is None:
        warnings.append(
            (
                f"{own.rep}: no address for the manager {own.manager}; no Cc",
                f"{own.rep}：找不到经理 {own.manager} 的邮箱，未抄送",
            )
        )
    target = sum((p.target for p in sub.plan if p.month == month), Decimal(0))
    data = rep_file.path.read_bytes()
    msg = rep_message(
        own,
        data,
        rep_file.path.name,
        Figures(month, len(sub.customers), target),
        sub.lang,
        to,
        cc,
        sender or cc,
        own.manager if own.manager and "@" not in own.manager else None,
    )
    path = rep_file.path.with_suffix(".eml")
    buf = io.BytesIO(msg.as_bytes())
    path.write_bytes(buf.getvalue())
    return RepFile(
        rep_file.rep,
        rep_file.path,
        rep_file.customers,
        rep_file.rows,
        path,
        to,
        cc,
        tuple(warnings),
    )
