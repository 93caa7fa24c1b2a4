"""`huikuan diagnose` and the Diagnosis / Excuses sheets of `huikuan refresh`, end to end.

The demo team workbook is built by the real command (`huikuan demo --as-of 2026-11-23`)
in each language and used as a real .xlsx. The engine's own figures are recomputed
here only to cross-check what the command prints and writes; the figures themselves
are held to hand-worked examples in test_engine_diagnosis.py and test_engine_excuses.py.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from books import folder, huikuan, table_rows
from huikuan import contract, jobs
from huikuan.demo import REPS
from huikuan.engine.analysis import analyse_all
from huikuan.engine.diagnosis import CAUSES
from huikuan.values import fen
from huikuan.workbook import remedies

AS_OF = "2026-11-23"
DEMO_REPS = sorted(REPS)  # 刘洋, 张伟, 李娜, 王强 — the order the command uses
LANGS = ("zh", "en")

LIKELY_MISS = {contract.choice_label(contract.LIKELY_MISS, "likely_miss", lang) for lang in LANGS}

DIAGNOSIS_HEADERS = {  # SPEC, "Diagnosis": the first six columns
    "zh": ["业务员", "原因", "指标", "涉及金额", "预警", "建议措施"],
    "en": ["Sales rep", "Cause", "Figure", "At stake", "Flagged", "Action"],
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both demo workbooks, each written by `huikuan demo`, kept untouched by the tests."""
    where = tmp_path_factory.mktemp("demo")
    for lang in LANGS:
        done = huikuan("demo", "-o", where / f"{lang}.xlsx", "--lang", lang, "--as-of", AS_OF)
        assert done.returncode == 0, done.stderr
    return where


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def demo(demo_dir: Path, lang: str) -> Path:
    return demo_dir / f"{lang}.xlsx"


def blocks(out: str) -> dict[str, list[str]]:
    """The printed diagnosis: each 【rep】 heading with the lines under it, in order, up to
    the reps likely to miss (test_history_settings.py holds that last block)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        if m := re.fullmatch(r"【(.+)】", line):
            if m.group(1) in LIKELY_MISS:
                break
            current = found.setdefault(m.group(1), [])
        elif line.strip():
            assert current is not None, f"a line before any rep: {line!r}"
            current.append(line)
    return found


FINDING = re.compile(r"^(?P<mark>[⚠ ]) (?P<rank>[1-6])\. (?P<rest>.+)$")
REMEDY = re.compile(r"^ {7}→ (?P<text>.+)$")


def parsed(lines: list[str]) -> list[tuple[bool, int, str, str | None]]:
    """(flagged, rank, the line after the rank, the remedy line or None) per cause."""
    out: list[tuple[bool, int, str, str | None]] = []
    for line in lines:
        if m := REMEDY.match(line):
            flagged, rank, rest, remedy = out[-1]
            assert remedy is None, "two remedies for one cause"
            out[-1] = (flagged, rank, rest, m["text"])
        else:
            m = FINDING.match(line)
            assert m, f"not a cause line: {line!r}"
            out.append((m["mark"] == "⚠", int(m["rank"]), m["rest"], None))
    return out


# ---- huikuan diagnose ---------------------------------------------------------------


def test_diagnose_prints_the_six_causes_for_each_demo_rep_and_the_team(
    demo: Path, lang: str
) -> None:
    done = huikuan("diagnose", demo, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    got = blocks(done.stdout)
    assert list(got) == [*DEMO_REPS, contract.ALL_REPS[lang]]
    labels = [contract.choice_label(contract.CAUSES, c, lang) for c in CAUSES]
    for rep, lines in got.items():
        causes = parsed(lines)
        assert len(causes) == 6, rep
        for (_, _, rest, _), label in zip(causes, labels, strict=True):
            assert rest.startswith(label), (rep, rest)
        assert sorted(rank for _, rank, _, _ in causes) == [1, 2, 3, 4, 5, 6], rep


def test_each_flagged_cause_and_only_a_flagged_cause_has_a_remedy_line(
    demo: Path, lang: str
) -> None:
    done = huikuan("diagnose", demo, "--as-of", AS_OF)
    nothing = remedies.pick(remedies.NOTHING, lang)
    for rep, lines in blocks(done.stdout).items():
        for flagged, _, rest, remedy in parsed(lines):
            assert (remedy is not None) is flagged, (rep, rest)
            if remedy is not None:
                assert remedy != nothing
                assert re.search(r"K10\d\d", remedy), remedy  # names the customers


def test_diagnose_prints_what_the_engine_finds_for_the_workbook(demo: Path, lang: str) -> None:
    # cross-check only: flag, rank, figure and remedy of each line against the engine
    result = jobs.diagnose(demo, date(2026, 11, 23))
    done = huikuan("diagnose", demo, "--as-of", AS_OF)
    printed = [cause for lines in blocks(done.stdout).values() for cause in parsed(lines)]
    assert len(printed) == len(result.findings) == 6 * (len(DEMO_REPS) + 1)
    for (flagged, rank, rest, remedy), f in zip(printed, result.findings, strict=True):
        assert flagged is f.flagged
        assert rank == f.rank
        assert f"{f.figure:.1%}" in rest
        assert remedy == (remedies.remedy(f, lang) if f.flagged else None)


def test_the_demo_reps_stories_show_in_their_flags(demo: Path) -> None:
    # demo.py's stories: 王强 plans alone, 张伟 does not anchor, 刘洋 does not follow up,
    # 李娜 is disciplined (only her one new customer has no commitment yet).
    findings = jobs.diagnose(demo, date(2026, 11, 23)).findings
    flagged = {rep: {f.cause for f in findings if f.rep == rep and f.flagged} for rep in DEMO_REPS}
    assert "no_joint_plan" in flagged["王强"]
    assert "weak_negotiation" in flagged["张伟"]
    assert "not_followed" in flagged["刘洋"]
    assert flagged["李娜"] == {"no_commitment"}
    assert all(flagged[rep] for rep in DEMO_REPS)  # an answer to "why" for every rep


def test_diagnose_rep_shows_only_that_rep(demo: Path) -> None:
    done = huikuan("diagnose", demo, "--as-of", AS_OF, "--rep", "张伟")
    assert done.returncode == 0, done.stderr
    got = blocks(done.stdout)
    assert list(got) == ["张伟"]
    assert len(parsed(got["张伟"])) == 6
    for other in (*DEMO_REPS, "全部", "ALL"):
        if other != "张伟":
            assert other not in done.stdout.replace("张伟", "")


def test_an_unknown_rep_exits_2_listing_the_reps_without_a_traceback(demo: Path) -> None:
    done = huikuan("diagnose", demo, "--as-of", AS_OF, "--rep", "赵六")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "赵六" in done.stderr
    for rep in DEMO_REPS:
        assert rep in done.stderr
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr


def test_diagnose_leaves_the_workbook_byte_for_byte_unchanged(demo: Path) -> None:
    before = demo.read_bytes()
    stamp = demo.stat().st_mtime_ns
    names = folder(demo.parent)
    for extra in ((), ("--rep", "李娜"), ("--rep", "赵六")):
        huikuan("diagnose", demo, "--as-of", AS_OF, *extra)
    assert demo.read_bytes() == before
    assert demo.stat().st_mtime_ns == stamp
    assert folder(demo.parent) == names  # no stray temporary file either


# ---- the sheets written by huikuan refresh --------------------------------------------


@pytest.fixture
def refreshed(demo: Path, tmp_path: Path) -> tuple[Path, date]:
    """A copy of the demo refreshed in place by `huikuan refresh`, as of another day.

    The demo was refreshed as of 11-23; refreshing as of 11-16 shows the sheets
    are rewritten, not left from the demo.
    """
    book = tmp_path / demo.name
    shutil.copyfile(demo, book)
    done = huikuan("refresh", book, "--as-of", "2026-11-16")
    assert done.returncode == 0, done.stderr
    return book, date(2026, 11, 16)


def test_refresh_writes_the_diagnosis_table_with_six_rows_per_rep_and_for_the_team(
    refreshed: tuple[Path, date], lang: str
) -> None:
    book, _ = refreshed
    sheet, headers, rows = table_rows(book, "Diagnosis")
    assert sheet == "Diagnosis"  # the sheet is named after its table, in both languages
    assert headers[:6] == DIAGNOSIS_HEADERS[lang]
    everyone = contract.ALL_REPS[lang]
    six = 6 * (len(DEMO_REPS) + 1)
    assert [r[0] for r in rows[:six]] == [rep for rep in (*DEMO_REPS, everyone) for _ in range(6)]
    labels = [contract.choice_label(contract.CAUSES, c, lang) for c in CAUSES]
    assert [r[1] for r in rows[:six]] == labels * (len(DEMO_REPS) + 1)
    # then the forecast's rows: each rep likely to miss, then the team's naming them (test_forecast)
    miss = contract.choice_label(contract.LIKELY_MISS, "likely_miss", lang)
    assert all(r[1] == miss for r in rows[six:])


def test_the_diagnosis_sheet_holds_the_engines_figures(
    refreshed: tuple[Path, date], lang: str
) -> None:
    book, as_of = refreshed
    read, _ = jobs.load(book)
    findings = analyse_all(read, as_of).findings  # cross-check only
    _, headers, rows = table_rows(book, "Diagnosis")
    assert headers == [c.label(lang) for c in contract.DIAGNOSIS.columns]
    assert len(rows) >= len(findings)  # the forecast's likely-miss rows follow (test_forecast)
    yes, no = (contract.choice_label(contract.YES_NO, k, lang) for k in ("yes", "no"))
    for row, f in zip(rows[: len(findings)], findings, strict=True):
        rep, cause, figure, amount, flagged, action, rank, detail = row
        assert rep == (f.rep or contract.ALL_REPS[lang])
        assert cause == contract.choice_label(contract.CAUSES, f.cause, lang)
        assert figure == pytest.approx(float(f.figure), abs=1e-12)
        assert amount == pytest.approx(float(fen(f.amount)), abs=0.001)
        assert flagged == (yes if f.flagged else no)
        assert action == remedies.remedy(f, lang)
        assert rank == f.rank
        assert detail == remedies.detail(f, lang)


def test_the_excuses_sheet_holds_the_engines_summary(
    refreshed: tuple[Path, date], lang: str
) -> None:
    book, as_of = refreshed
    read, _ = jobs.load(book)
    excuses = analyse_all(read, as_of).excuses  # cross-check only
    assert excuses  # the demo's reps hear excuses before 11-16
    sheet, headers, rows = table_rows(book, "Excuses")
    assert sheet == "Excuses"
    assert headers == [c.label(lang) for c in contract.EXCUSES.columns]
    assert len(rows) == len(excuses)
    everyone = contract.ALL_REPS[lang]
    for row, e in zip(rows, excuses, strict=True):
        assert row == [
            e.rep or everyone,
            contract.choice_label(contract.EXCUSE_KINDS, e.kind, lang),
            e.count,
            e.accepted,
            pytest.approx(float(fen(e.deferred)), abs=0.001),
            pytest.approx(float(fen(e.deferred_accepted)), abs=0.001),
            remedies.pick(remedies.COUNTER_MEASURES[e.kind], lang),
            remedies.name_customers(e.customers, lang),
        ]
    assert {row[0] for row in rows} <= {*DEMO_REPS, everyone}
    assert rows[-1][0] == everyone
