"""`huikuan split`: one workbook per rep, holding only that rep's customers and their rows.

Each rep's file is the team workbook written through the one package writer with
the other reps' rows removed from every input table (the rep's rows, formulas,
formats, drop-downs, the manager's own sheets, charts and pictures kept as they
are) and the outputs computed for the rep. Privacy wins (workbook/privacy.py):
shared strings, chart caches, pivot caches, comments, defined names and sheets
(hidden ones too) that would hold another rep's data are emptied or dropped, and
the report names what was dropped.

What the files share is read once for all reps: the team's parts (inflated once),
the rows of its tables (rowedit visits only a rep's own rows below the new last
one) and the team's words for the privacy check (privacy.WordIndex), so that a
rep's file costs about its own rows, not the team's (benchmarks/split.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import contract as ct
from ..engine.analysis import analyse_all
from ..engine.status import month_target
from ..errors import Unusable
from ..fileio import write_atomic
from ..model import Book, Problem
from ..workbook.files import FileTables
from ..workbook.outputs import OutputTable, output_tables
from ..workbook.privacy import WordIndex
from ..workbook.reader import read_book
from ..workbook.rowedit import TableRows
from .books import (
    Raw,
    read_raw,
    rep_book,
    rep_rows,
    reps_of,
    row_keys,
    safe_stem,
    write_rep_book,
)
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
    dropped: tuple[tuple[str, str], ...] = ()  # (en, zh) left out for privacy


@dataclass
class SplitResult:
    book: Book
    problems: list[Problem]
    files: list[RepFile] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)

    @property
    def exit_code(self) -> int:
        errors = any(p.is_error for p in self.problems)
        return 1 if errors or any(f.warnings for f in self.files) else 0


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
    """Write DIR/<rep>.xlsx (.xlsm for a macro team workbook; with `eml` DIR/<rep>.eml too)
    for every rep with customers."""
    book, problems = read_book(FileTables(team))
    if out_dir.exists() and not out_dir.is_dir():
        raise Unusable(f"{out_dir}: not a folder", f"{out_dir}：不是文件夹")
    reps = reps_of(book)
    if not reps:
        raise Unusable(f"{team.name}: no customers to split", f"{team.name}：没有可分发的客户")
    suffix = ".xlsm" if team.suffix.lower() == ".xlsm" else ".xlsx"  # macros stay macros
    taken: set[str] = set()
    stems = {rep: safe_stem(rep, taken) for rep in reps}
    if not force:
        clash = [
            p.name
            for rep in reps
            for p in (out_dir / f"{stems[rep]}{suffix}", out_dir / f"{stems[rep]}.eml")
            if p.exists() and (eml or p.suffix == suffix)
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
    keys = _row_keys(read_raw(team))
    parts: dict[str, bytes] = {}  # the team's parts, inflated once for all reps
    index = WordIndex(w for c in book.customers for w in (c.customer_id, c.name, c.rep) if w)
    for rep in reps:
        sub = rep_book(book, rep)
        path = out_dir / f"{stems[rep]}{suffix}"
        words = _others(book, rep)
        written = write_rep_book(
            team, path, rep_outputs(sub, as_of), _rep_rows(keys, book, rep), words, parts, index
        )
        rep_file = RepFile(
            rep, path, len(sub.customers), _rows(sub), dropped=tuple(written.dropped)
        )
        result.notes.extend(
            (f"{path.name}: left out {en}", f"{path.name}：已删除 {zh}")
            for en, zh in written.dropped
        )
        if eml:
            rep_file = _email(rep_file, sub, book, month, sender)
        result.files.append(rep_file)
    return result


def rep_outputs(sub: Book, as_of: date) -> list[OutputTable]:
    """THE place for the tables a rep's file gets: refresh's outputs for the rep's book,
    then any extra ones (e.g. a hidden snapshot of what was sent)."""
    found = analyse_all(sub, as_of)
    outputs = output_tables(found, [], sub.lang, as_of)
    extra: list[OutputTable] = [sent_table(sub, sub.reps[0].rep, as_of)]  # hidden: team/sent.py
    return [*outputs, *extra]


def _others(book: Book, rep: str) -> set[str]:
    """Other reps' customer ids and names, and their names: what a rep's file must not hold."""
    words: set[str] = set()
    for c in book.customers:
        if c.rep != rep:
            words |= {c.customer_id, c.name, c.rep}
    return {w for w in words if w}


def _row_keys(raw: dict[str, Raw]) -> dict[ct.Table, list[tuple[int, Any]]]:
    """Each input table's rows and their customer (Reps: their rep), read once for all reps."""
    keys = {
        table: row_keys(raw[table.name.casefold()], table, "customer_id")
        for table in ct.INPUT_TABLES
        if table.name.casefold() in raw
    }
    if ct.REPS.name.casefold() in raw:
        keys[ct.REPS] = row_keys(raw[ct.REPS.name.casefold()], ct.REPS, "rep")
    if ct.SETTINGS.name.casefold() in raw:  # the team's history store (a password): not sent
        keys[ct.SETTINGS] = row_keys(raw[ct.SETTINGS.name.casefold()], ct.SETTINGS, "setting")
    return keys


def _keeps(table: ct.Table, rep: str, mine: set[str]) -> Callable[[Any], bool]:
    """Which rows of `table` a rep's workbook keeps: their customers', their own Reps row,
    no Settings row (the team's history store and its password stay with the team)."""
    if table is ct.REPS:
        return rep.__eq__
    if table is ct.SETTINGS:
        return lambda _: False
    return mine.__contains__


def _rep_rows(keys: dict[ct.Table, list[tuple[int, Any]]], book: Book, rep: str) -> list[TableRows]:
    """Each input table holding only the rep's rows; Reps only the rep's own row; Settings none."""
    mine = {c.customer_id for c in book.customers if c.rep == rep}
    return [rep_rows(table, rows, _keeps(table, rep, mine)) for table, rows in keys.items()]


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
    target = month_target(sub.plan, month)
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
    write_atomic(path, msg.as_bytes())
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
