"""`huikuan collect`: read the reps' returned workbooks, merge them, write the team workbook.

Every .xlsx/.xlsm in the folder is a candidate, whatever a mail client named
it (`李娜(1).xlsx`, `Re_ 李娜.xlsx`): the rep is read from inside the file (its
Reps row, else its customers' rep). Each file passes the package guard and
the normal reader; one that cannot be used is moved to `DIR/quarantine/`
with a `.txt` giving the reason, and the others go on. Two returns from one
rep: the newer (file time) is taken, the other reported. The merge rules are
engine/merge.py's. The team workbook is built fresh from the merged records
(the template, refreshed), with a Collect sheet holding the report.

The files (and the base) are read in a pool of processes, two by default (see
`_Reading`); their outcomes are taken in the files' order, so the result is the
one of reading them one after the other.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from .. import contract as ct
from ..engine.merge import Merged, Return, merge
from ..engine.schedule import Action
from ..engine.status import StatusRow
from ..errors import Unusable
from ..fileio import refuse_overwrite, require_suffix
from ..model import Book, Customer, Problem
from ..values import normalize
from ..workbook.files import FileTables
from ..workbook.reader import RawTable, read_book
from ..workbook.template import formula_label, plan_formulas
from .books import fresh_template, write_book
from .report import Line, collect_table, event_line, no_snapshot_line, problem_line, taken_line
from .sent import Damaged, Sent, read_sent

WORKBOOKS = (".xlsx", ".xlsm")
OTHER_SPREADSHEETS = {
    ".xls": "an old .xls workbook",
    ".xlsb": "a binary .xlsb workbook",
    ".ods": "an OpenDocument .ods spreadsheet",
    ".et": "a WPS .et spreadsheet",
    ".numbers": "a Numbers spreadsheet",
    ".csv": "a CSV file",
}
QUARANTINE = "quarantine"
WORKERS = 2  # processes reading the returns (this machine's target: 2 cores)
POOL_FROM = 4  # fewer files are read in this process: starting workers would cost more

T = TypeVar("T")


class Progress(Protocol):
    """Wraps the files being read (a progress bar on a terminal); yields them as they are."""

    def __call__(self, items: Iterable[T]) -> Iterable[T]: ...


def as_they_are(items: Iterable[T]) -> Iterable[T]:
    """No progress bar."""
    return items


@dataclass
class Returned:
    """One file found in the folder and what became of it."""

    path: Path
    mtime: float
    status: str = "taken"  # taken / superseded / quarantined / skipped
    rep: str | None = None
    book: Book | None = None
    problems: list[Problem] = field(default_factory=list)
    read: Read | None = None
    reason: Unusable | None = None
    moved_to: Path | None = None


@dataclass
class CollectResult:
    files: list[Returned]
    merged: Merged
    lines: list[Line]
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    written: Path | None = None
    not_carried: list[tuple[str, str]] = field(default_factory=list)
    base_problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(ln.attention for ln in self.lines) else 0

    @property
    def lang(self) -> str:
        return self.merged.book.lang


def _unusable(en: str, zh: str) -> Unusable:
    return Unusable(en, zh)


class Read(NamedTuple):
    """A returned file as read: records, bad rows, rep, and what split sent (or why not)."""

    book: Book
    problems: list[Problem]
    rep: str
    sent: Sent | None = None
    no_sent: tuple[str, str] | None = None  # (en, zh): why the file carries no usable snapshot
    referenced: frozenset[str] = frozenset()


class _Referring:
    """A return's tables, its Customers table completed with other reps' customers its
    rows refer to (so a receipt logged for one of them is read, not called unknown)."""

    def __init__(self, inner: FileTables, extra: Sequence[Customer]) -> None:
        self.inner, self.extra = inner, extra

    def table(self, name: str) -> RawTable | None:
        raw = self.inner.table(name)
        if raw is None or name.casefold() != ct.CUSTOMERS.name.casefold():
            return raw
        keys = {
            normalize(label): col.key
            for col in ct.CUSTOMERS.columns
            for label in (col.key, col.en, col.zh)
        }
        at = [keys.get(normalize(h)) for h in raw.headers]
        added = [
            [getattr(c, k) if k in ("customer_id", "name", "rep") else None for k in at]
            for c in self.extra
        ]
        return replace(raw, rows=[*raw.rows, *added])


def _unknown(problems: Sequence[Problem]) -> set[str]:
    """The values of the cells refused (among them the customer ids a file's Customers
    table lacks: whichever the reader's words for it, they name the cell's value)."""
    return {p.value.strip() for p in problems if p.value}


def read_return(path: Path, known: Mapping[str, Customer] | None = None) -> Read:
    """A returned file's records, bad rows, rep and snapshot; Unusable when it cannot be
    taken at all. Rows of customers in `known` (other reps') the file lacks are read too."""
    tables = FileTables(path)  # guards the package first
    book, problems = read_book(tables)
    name = path.name
    if len(book.reps) > 1:
        names = "、".join(r.rep for r in book.reps)
        raise _unusable(
            f"{name}: holds the Reps rows of several reps ({names}): a team workbook, not a rep's return",
            f"{name}：含多个业务员（{names}），是汇总表而不是业务员的回传文件",
        )
    reps = list(dict.fromkeys(c.rep for c in book.customers))
    if book.reps:
        rep = book.reps[0].rep
    elif len(reps) == 1:
        rep = reps[0]
    elif not reps:
        raise _unusable(f"{name}: no customers in it", f"{name}：文件中没有客户")
    else:
        names = "、".join(reps)
        raise _unusable(
            f"{name}: customers of several reps ({names}) and no Reps row: whose return is it?",
            f"{name}：含多个业务员的客户（{names}）且没有业务员表，无法判断是谁的回传",
        )
    if not book.customers:
        raise _unusable(f"{name}: no customers in it", f"{name}：文件中没有客户")
    referenced: frozenset[str] = frozenset()
    if known:
        extra = [
            known[cid]
            for cid in sorted(_unknown(problems))
            if cid in known and known[cid].rep != rep
        ]
        if extra:
            book, problems = read_book(_Referring(tables, extra), book.lang)
            referenced = frozenset(c.customer_id for c in extra)
    try:
        sent, no_sent = read_sent(tables, rep), None
    except Damaged as exc:
        sent, no_sent = None, (f"{name}: {exc.en}", f"{name}：{exc.zh}")
    return Read(book, problems, rep, sent, no_sent, referenced)


Outcome = tuple[Read | None, tuple[str, str] | None]


def _read_one(path: Path, known: Mapping[str, Customer] | None = None) -> Outcome:
    """read_return's result, or the reason (en, zh) the file cannot be used."""
    try:
        return read_return(path, known), None
    except Unusable as exc:
        return None, (exc.en, exc.zh)
    except Exception as exc:  # one strange file never stops the others
        return None, (
            f"{path.name}: cannot be read ({type(exc).__name__}: {exc})",
            f"{path.name}：无法读取（{type(exc).__name__}：{exc}）",
        )


Base = tuple[Book, list[Problem], list[tuple[str, str]]]  # records, bad rows, not carried


def read_base(path: Path) -> Base:
    """The base team workbook's records, bad rows and what a rebuilt one would not carry."""
    tables = FileTables(path)
    book, problems = read_book(tables)
    return book, problems, not_carried(tables)


def _read_base_in_worker(path: Path) -> Base | tuple[str, str]:
    """read_base in a worker process; Unusable as its (en, zh) (it does not pickle)."""
    try:
        return read_base(path)
    except Unusable as exc:
        return exc.en, exc.zh


def _read_in_worker(path: Path) -> Outcome:
    """_read_one in a worker process. Sent to the worker by name (as pickle sends a
    function), this one is always found there; a pickling failure of the call itself
    would leave the pool unable to shut down (CPython 3.11, seen in testing)."""
    return _read_one(path)


class _Reading:
    """Each file's outcome, in order, read as it is asked for; its length known first,
    so that a progress bar is there before the first file is read and advances file by
    file (a list() of the outcomes would read every file before the bar appears).

    With `workers` > 1 and enough files, the files are read in that many processes
    (every file is submitted at once, the outcomes handed out in the files' order, so
    that what follows is the same as one after the other). A file costs ≈ 17 ms to read
    and ≈ 2 ms to send back pickled (300 returns × 50 customers, benchmarks/collect.py),
    so a second core nearly halves the reading. `_read_one` is a module-level function
    and its outcome plain data: the pool works with any start method (spawn on Windows
    and macOS, fork on Linux; `start_method` chooses one)."""

    def __init__(
        self,
        paths: list[Path],
        workers: int = 1,
        start_method: str | None = None,
        base: Path | None = None,
    ) -> None:
        self.paths, self.workers, self.start_method = paths, workers, start_method
        self.base_path = base
        self._base: Future[Base | tuple[str, str]] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[Outcome]:
        if self.workers < 2 or len(self.paths) < POOL_FROM:
            return map(_read_one, self.paths)
        return self._pooled()

    def _pooled(self) -> Iterator[Outcome]:
        context = mp.get_context(self.start_method) if self.start_method else None
        workers = min(self.workers, len(self.paths))
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        try:
            if self.base_path is not None:  # first: the biggest file, read beside the returns
                self._base = pool.submit(_read_base_in_worker, self.base_path)
            futures = [pool.submit(_read_in_worker, path) for path in self.paths]
            for path, future in zip(self.paths, futures, strict=True):
                try:
                    yield future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): the
                    yield _read_one(path)  # files it had not sent back are read here
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def base(self) -> Base:
        """The base as read (by the pool once the returns are read; else here)."""
        assert self.base_path is not None
        got: Base | tuple[str, str] | None = None
        if self._base is not None and not self._base.cancelled():
            try:
                got = self._base.result()
            except BrokenProcessPool:
                got = None
        if got is None:
            return read_base(self.base_path)
        if len(got) == 2:
            en, zh = got
            raise Unusable(en, zh)
        return got


def quarantine(path: Path, folder: Path, reason: Unusable) -> Path:
    """Move `path` into folder/quarantine/ (a new name if taken) with NAME.txt saying why."""
    qdir = folder / QUARANTINE
    qdir.mkdir(exist_ok=True)
    dest, n = qdir / path.name, 1
    while dest.exists() or dest.with_name(dest.name + ".txt").exists():
        n += 1
        dest = qdir / f"{path.stem} ({n}){path.suffix}"
    shutil.move(str(path), str(dest))
    stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
    dest.with_name(dest.name + ".txt").write_text(
        f"{path.name}\n{stamp}\n\n{reason.zh}\n{reason.en}\n", encoding="utf-8-sig"
    )
    return dest


def _candidates(folder: Path, exclude: set[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, why it is skipped or None) for every file in the folder, by name."""
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith("."):
            continue  # folders (quarantine/), hidden and temporary files
        if path.resolve() in exclude:
            continue
        if path.name.startswith("~$"):
            yield path, "lock"
        elif path.suffix.lower() in WORKBOOKS:
            yield path, None
        elif path.suffix.lower() in OTHER_SPREADSHEETS:
            yield path, "format"
        else:
            yield path, "other"


def not_carried(tables: FileTables) -> list[tuple[str, str]]:
    """What of the base the collected workbook would not have: the extra columns of its
    input tables (their rows are rewritten from the merged records). Its own sheets,
    charts, pictures and macros are carried: the package writer copies them as stored."""
    known = {
        *(t.name for t in (*ct.INPUT_TABLES, *ct.SETTING_TABLES, *ct.OUTPUT_TABLES, ct.COLLECT))
    }
    sheets_with_tables = set()
    extra_cols: list[str] = []
    formula_labels = {
        normalize(formula_label(k, lang)) for lang in ("zh", "en") for k in plan_formulas("en")
    }
    for name in known:
        raw = tables.table(name)
        if raw is None:
            continue
        sheets_with_tables.add(raw.sheet)
        spec = next((t for t in (*ct.INPUT_TABLES, *ct.SETTING_TABLES) if t.name == name), None)
        if spec is None:
            continue
        labels = {normalize(x) for c in spec.columns for x in (c.key, c.en, c.zh)}
        for header in raw.headers:
            h = normalize(header)
            if h and h not in labels and h not in formula_labels:
                extra_cols.append(f"{name}[{header}]")
    out: list[tuple[str, str]] = []
    if extra_cols:
        out.append((f"extra columns {', '.join(extra_cols)}", f"附加列 {'、'.join(extra_cols)}"))
    return out


def collect(
    folder: Path,
    out: Path,
    as_of: date,
    base: Path | None = None,
    force: bool = False,
    progress: Progress = as_they_are,
    workers: int | None = None,
    start_method: str | None = None,
) -> CollectResult:
    """Merge every rep's return in `folder` (over `base`) into the team workbook `out`.

    The returns are read in `workers` processes (default: WORKERS, at most the number of
    cores; 1 reads them in this one), started with `start_method` (default: the
    platform's); the outcome is the same whatever the number."""
    if workers is None:
        workers = min(WORKERS, os.cpu_count() or 1)
    if not folder.is_dir():
        raise Unusable(f"{folder}: no such folder", f"{folder}：文件夹不存在")
    # the base's own kind (.xlsm keeps its macros), else .xlsx (a fresh template)
    want = base.suffix.lower() if base is not None and base.suffix.lower() in WORKBOOKS else ".xlsx"
    require_suffix(out, (want,))
    in_place = base is not None and out.exists() and out.resolve() == base.resolve()
    if not in_place:
        refuse_overwrite(out, force)
    exclude = {out.resolve()} | ({base.resolve()} if base else set())

    files: list[Returned] = []
    readable: list[Path] = []
    for path, skip in _candidates(folder, exclude):
        item = Returned(path, path.stat().st_mtime)
        files.append(item)
        if skip is None:
            readable.append(path)
        elif skip == "format":
            kind = OTHER_SPREADSHEETS[path.suffix.lower()]
            item.reason = Unusable(
                f"{path.name}: {kind}; save it as .xlsx (Excel workbook) and collect again",
                f"{path.name}：不是 .xlsx 格式（{path.suffix}），请另存为 Excel 工作簿（.xlsx）后重新汇总",
            )
        else:
            item.status = "skipped"
            item.reason = (
                Unusable(f"{path.name}: Excel's lock file", f"{path.name}：Excel 的临时锁定文件")
                if skip == "lock"
                else Unusable(f"{path.name}: not a workbook", f"{path.name}：不是工作簿")
            )
    by_path = {f.path: f for f in files}
    # the base is read beside the returns (in the pool, when there is one); nothing has been
    # moved or written before it is known to be usable
    reading = _Reading(readable, workers, start_method, base)
    for path, (got, failed) in zip(readable, progress(reading), strict=True):
        item = by_path[path]
        if failed is not None:
            item.reason = Unusable(*failed)
        elif got is not None:
            item.read = got
            item.book, item.problems, item.rep = got.book, got.problems, got.rep
    base_book: Book | None = None
    base_problems: list[Problem] = []
    lost: list[tuple[str, str]] = []
    if base is not None:
        base_book, base_problems, lost = reading.base()
        if lost and in_place:
            what_en = "; ".join(en for en, _ in lost)
            what_zh = "；".join(zh for _, zh in lost)
            raise Unusable(
                f"{base.name} holds what a rebuilt team workbook would not carry ({what_en}). "
                f"Nothing was written. Write the team workbook to a new file: -o NEW.xlsx",
                f"{base.name} 含有重建汇总表时不会保留的内容（{what_zh}），未写入任何内容。"
                f"请写入新文件：-o 新文件.xlsx",
            )
    # rows a rep logged for another rep's customer: read again, that customer known
    known: dict[str, Customer] = {}
    for cust in base_book.customers if base_book is not None else ():
        known.setdefault(cust.customer_id, cust)
    if base_book is None:
        for item in files:
            for cust in item.book.customers if item.book is not None else ():
                if cust.rep == item.rep:
                    known.setdefault(cust.customer_id, cust)
    for item in files:
        if item.read is None or item.rep is None:
            continue
        ids = _unknown(item.problems)
        if any(cid in known and known[cid].rep != item.rep for cid in ids):
            got, failed = _read_one(item.path, known)
            if got is not None:
                item.read = got
                item.book, item.problems = got.book, got.problems
    for item in files:
        if item.reason is not None and item.status != "skipped":
            item.status = "quarantined"
            try:
                item.moved_to = quarantine(item.path, folder, item.reason)
            except OSError as exc:
                item.moved_to = None
                item.reason = Unusable(
                    f"{item.reason.en} (could not be moved to quarantine: {exc})",
                    f"{item.reason.zh}（无法移入隔离文件夹：{exc}）",
                )

    # the newest file of each rep is taken
    by_rep: dict[str, list[Returned]] = defaultdict(list)
    for item in files:
        if item.status == "taken" and item.rep is not None:
            by_rep[item.rep].append(item)
    newest: dict[str, Returned] = {}
    for rep, items in by_rep.items():
        items.sort(key=lambda f: (f.mtime, f.path.name), reverse=True)
        newest[rep] = items[0]
        for older in items[1:]:
            older.status = "superseded"
    ranked = sorted(newest.values(), key=lambda f: (f.mtime, f.path.name), reverse=True)
    returns = [
        Return(
            item.path.name,
            item.rep or "",
            item.book or Book(),
            order,
            sent=item.read.sent.book if item.read and item.read.sent else None,
            referenced=item.read.referenced if item.read else frozenset(),
        )
        for order, item in enumerate(ranked)
    ]
    if base_book is None and not returns:
        raise Unusable(
            f"{folder}: no usable return and no --base: nothing to write",
            f"{folder}：没有可用的回传文件，也没有 --base 底表，未写入任何内容",
        )
    merged = merge(base_book, returns)
    lang = merged.book.lang
    lines = _lines(files, newest, merged, base, base_problems, lang)
    problems = [
        p.updated({"sheet": f"[{item.path.name}]{p.sheet}"})
        for item in files
        if item.status == "taken"
        for p in item.problems
    ]
    if base is not None:
        problems = [
            p.updated({"sheet": f"[{base.name}]{p.sheet}"}) for p in base_problems
        ] + problems
    # written through the one package writer: over the base (its own sheets, charts,
    # pictures and macros kept), or over a fresh template when there is none
    src = base if base is not None else fresh_template(lang)
    rows, actions = write_book(
        src, out, merged.book, as_of, problems, extra=[collect_table(lines, lang)]
    )
    return CollectResult(files, merged, lines, rows, actions, out, lost, base_problems)


def _lines(
    files: list[Returned],
    newest: dict[str, Returned],
    merged: Merged,
    base: Path | None,
    base_problems: list[Problem],
    lang: str,
) -> list[Line]:
    zh = lang == "zh"
    by_source: dict[str, list] = defaultdict(list)
    for ev in merged.events:
        by_source[ev.source].append(ev)
    lines: list[Line] = []
    if base is not None:
        for p in base_problems:
            if p.is_error:  # a warning leaves no row out: the Problems sheet has it
                lines.append(problem_line(base.name, None, p, lang))
    for item in files:
        name = item.path.name
        if item.status == "taken" and item.book is not None:
            counts: Counter[tuple[str, str]] = merged.counts.get(name, Counter())
            owned = counts["Customers", "same"] + counts["Customers", "added"]
            lines.append(taken_line(name, item.rep or "", counts, owned, lang))
            no_sent = item.read.no_sent if item.read is not None else None
            if base is not None and no_sent is not None:
                lines.append(no_snapshot_line(name, item.rep, no_sent, lang))
            lines.extend(problem_line(name, item.rep, p, lang) for p in item.problems if p.is_error)
            lines.extend(event_line(ev, lang) for ev in by_source.get(name, ()))
        elif item.status == "superseded":
            newer = newest[item.rep or ""]
            when = datetime.fromtimestamp(item.mtime).isoformat(sep=" ", timespec="seconds")
            detail = (
                f"{item.rep} 的较早回传（{when}），较新的是 {newer.path.name}"
                if zh
                else f"an older return of {item.rep} ({when}); {newer.path.name} is newer"
            )
            resolution = "未采用，采用较新的文件" if zh else "not used: the newer file was taken"
            lines.append(Line(name, item.rep, "superseded", None, None, detail, resolution))
        elif item.status == "quarantined" and item.reason is not None:
            where = f"{QUARANTINE}/{item.moved_to.name}" if item.moved_to else None
            resolution = (
                (
                    f"已移入 {where}（原因见 {where}.txt）"
                    if zh
                    else f"moved to {where} (reason in {where}.txt)"
                )
                if where
                else ("未能移动" if zh else "could not be moved")
            )
            lines.append(
                Line(name, None, "quarantined", None, None, item.reason.message(lang), resolution)
            )
        elif item.status == "skipped" and item.reason is not None:
            lines.append(
                Line(
                    name,
                    None,
                    "skipped",
                    None,
                    None,
                    item.reason.message(lang),
                    "未处理" if zh else "left as it is",
                )
            )
    lines.extend(event_line(ev, lang) for ev in by_source.get("", ()))
    return lines
