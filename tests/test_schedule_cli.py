"""`huikuan schedule` (terminal table, --rep, --ics) and the Schedule table refresh writes.

The team below, seen on Mon 2026-11-09 (November 2026 has no public holiday):

- K1 杭州鑫达建材贸易有限公司 (李娜, C): 50,000 due Fri Nov 6 and 50,000 due Tue Nov 24;
  paid 25,000 on Nov 6 → partial; the dates are those of test_engine_schedule's golden
  case: chases 9, 12, 19, 23, 26, 30, escalate 16, remind (tightened to D) 17, check 24,
  chase 25, escalate 27 — 11 rows.
- K2 宁波恒通五金机电有限公司 (李娜, B, key account): no commitment, target 80,000 → pushed on
  Mon Nov 2 (before as_of), then get_commitment from as_of weekly: 9, 16, 23, 30 — 4 rows.
- K3 苏州金源日用百货有限公司 (王强, B): 120,000 due Thu Nov 12 → remind 3 days before (Mon
  Nov 9), check Nov 12, chase from Nov 16 every 5 days (21 Sat → 23, 28 Sat → 30),
  escalate from Nov 26 on the Nov 30 chase — 5 rows.

Today (Nov 9): K2 first (key account), then K3 (120,000 at stake), then K1 (25,000).
The rest of the week (Tue 10 – Sun 15): Nov 12 K3 due-day check (120,000), K1 chase (25,000).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest

from books import Tab, folder, huikuan, sample_book, table_rows, write_book
from huikuan import agenda, jobs
from huikuan.text import display_width

AS_OF = "2026-11-09"

HEADERS = {
    "zh": {
        "Customers": ["客户编号", "客户名称", "业务员", "信用等级", "重点客户", "联系人", "电话"],
        "Plan": ["月份", "客户编号", "我方目标"],
        "Commitments": ["客户编号", "承诺回款日", "承诺金额"],
        "Receipts": ["回款日期", "客户编号", "回款金额"],
        "FollowUps": ["跟进日期", "客户编号", "结果"],
    },
    "en": {
        "Customers": ["Customer ID", "Customer", "Sales rep", "Credit grade", "Key account",
                      "Contact", "Phone"],
        "Plan": ["Month", "Customer ID", "Target"],
        "Commitments": ["Customer ID", "Due", "Amount"],
        "Receipts": ["Date", "Customer ID", "Amount"],
        "FollowUps": ["Date", "Customer ID", "Result"],
    },
}  # fmt: skip
ROWS = {
    "Customers": [
        ["K1", "杭州鑫达建材贸易有限公司", "李娜", "C", "否", "陈建国", "13800000001"],
        ["K2", "宁波恒通五金机电有限公司", "李娜", "B", "是", "周海燕", "0574-88880000"],
        ["K3", "苏州金源日用百货有限公司", "王强", "B", "否", "林志强", "13900000003"],
    ],
    "Plan": [["2026-11", "K1", 100_000], ["2026-11", "K2", "8万"], ["2026-11", "K3", 120_000]],
    "Commitments": [
        ["K1", "2026-11-06", 50_000],
        ["K1", "2026-11-24", "5万"],
        ["K3", "2026年11月12日", "十二万"],
    ],
    "Receipts": [["2026-11-06", "K1", "2.5万"]],
    "FollowUps": [],
}


def team(tmp_path: Path, lang: str = "zh", bad: bool = False, logged: list[list[str]] = ()) -> Path:
    rows = {name: [list(r) for r in rs] for name, rs in ROWS.items()}
    rows["FollowUps"] += [list(r) for r in logged]
    if bad:
        rows["Commitments"].append(["K3", "2026-11-20", "待定"])
    tabs = [Tab(name, HEADERS[lang][name], rows[name]) for name in HEADERS[lang]]
    return write_book(tmp_path / f"team-{lang}.xlsx", tabs)


def section(out: str, title: str) -> list[str]:
    """The table lines under a section title, up to the next blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def column_at(line: str, text: str) -> int:
    """The terminal column where `text` starts in `line` (wide characters count two)."""
    return display_width(line[: line.index(text)])


# ---- the terminal table ------------------------------------------------------------


def test_schedule_prints_today_and_this_week_in_chinese(tmp_path: Path) -> None:
    path = team(tmp_path)
    before = path.read_bytes()
    run = huikuan("schedule", path, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("全体跟进计划 · 2026年11月9日 星期一")
    today = section(out, "今天 2026年11月9日 星期一")
    head, *rows = today
    assert head.split() == ["业务员", "客户名称", "联系人", "电话", "动作", "涉及金额", "原因"]
    assert [r.split()[1] for r in rows] == [
        "宁波恒通五金机电有限公司",  # key account first, marked ★
        "苏州金源日用百货有限公司",  # 12万 at stake
        "杭州鑫达建材贸易有限公司",  # 2.5万
    ]
    assert "★" in rows[0] and "★" not in rows[1]
    assert rows[0].replace("★", "").split()[4:6] == ["取得承诺", "8万"]
    assert rows[1].split()[4:7] == ["提醒", "12万", "2026年11月12日"]
    assert rows[2].split()[4:7] == ["催收", "2.5万", "2026年11月6日"]
    assert "已过宽限期" in rows[2]
    # CJK-aware alignment: every column starts at the same terminal column on every line
    for column in (r"电话|[\d-]{11,}", "动作|取得承诺|提醒|催收", r"原因|\d{4}年|尚未"):
        assert len({column_at(line, re.search(column, line)[0]) for line in today}) == 1
    week = section(out, "本周 2026年11月10日 星期二—2026年11月15日 星期日")
    assert [line.split()[:6] for line in week[1:]] == [
        ["2026年11月12日", "星期四", "王强", "苏州金源日用百货有限公司", "林志强", "13900000003"],
        ["2026年11月12日", "星期四", "李娜", "杭州鑫达建材贸易有限公司", "陈建国", "13800000001"],
    ]
    assert "此后本月还有 15 项跟进" in out  # 20 in all: 3 today, 2 this week
    assert path.read_bytes() == before  # the workbook is not touched


def test_schedule_in_english_uses_iso_dates_and_plain_amounts(tmp_path: Path) -> None:
    run = huikuan("schedule", team(tmp_path, "en"), "--as-of", AS_OF, "--rep", "wang qiang ")
    assert run.returncode == 2  # a rep's name is matched as written, not transliterated
    run = huikuan("schedule", team(tmp_path, "en"), "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    today = section(run.stdout, "Today 2026-11-09 Mon")
    assert today[0].split()[:3] == ["Sales", "rep", "Customer"]
    assert "remind" in today[2] and "120,000.00" in today[2]
    assert "120,000.00 due 2026-11-12: remind before it falls due" in today[2]
    assert "This week 2026-11-10 Tue – 2026-11-15 Sun" in run.stdout


def test_rep_filters_and_an_unknown_rep_lists_the_reps(tmp_path: Path) -> None:
    path = team(tmp_path)
    run = huikuan("schedule", path, "--as-of", AS_OF, "--rep", "王强")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("王强跟进计划")
    assert "李娜" not in run.stdout and "杭州" not in run.stdout
    today = section(run.stdout, "今天")
    assert today[0].split()[0] == "客户名称"  # one rep: no rep column
    run = huikuan("schedule", path, "--as-of", AS_OF, "--rep", "赵六", "--ics", tmp_path / "x.ics")
    assert run.returncode == 2
    assert "赵六" in run.stderr and "李娜" in run.stderr and "王强" in run.stderr
    assert not (tmp_path / "x.ics").exists()  # nothing written


def test_bad_rows_exit_1_and_the_schedule_still_prints(tmp_path: Path) -> None:
    run = huikuan("schedule", team(tmp_path, bad=True), "--as-of", AS_OF)
    assert run.returncode == 1
    assert "待定" in run.stderr and "1 个问题" in run.stderr
    assert "苏州金源日用百货有限公司" in run.stdout


def test_an_unusable_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "no.xlsx").write_text("not a workbook")
    assert huikuan("schedule", tmp_path / "no.xlsx").returncode == 2
    assert huikuan("schedule", tmp_path / "missing.xlsx").returncode == 2
    assert huikuan("schedule", team(tmp_path), "--as-of", "下周一").returncode == 2


def test_schedule_help_names_every_option() -> None:
    run = huikuan("schedule", "--help")
    assert run.returncode == 0
    for word in ("--as-of", "--rep", "--ics", "--force", "RFC 5545"):
        assert word in run.stdout
    assert "schedule" in huikuan("--help").stdout


def test_table_pads_wide_characters_as_two_columns() -> None:
    lines = agenda.table(
        ["名称", "金额", "原因"], [["甲乙丙", "1万", "x"], ["ab", "12.5万", "y"]], [1]
    )
    assert lines == [
        "  名称      金额  原因",
        "  甲乙丙     1万  x",
        "  ab      12.5万  y",
    ]


# ---- the calendar ------------------------------------------------------------------


def read_ics(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def test_ics_has_one_event_per_action_that_a_calendar_can_read(tmp_path: Path) -> None:
    path, ics = team(tmp_path), tmp_path / "李娜.ics"
    run = huikuan("schedule", path, "--as-of", AS_OF, "--rep", "李娜", "--ics", ics)
    assert run.returncode == 0, run.stderr
    assert f"已写入 {ics}（15 个日程）" in run.stdout  # K1's 11 and K2's 4
    cal = read_ics(ics)
    assert str(cal["version"]) == "2.0" and str(cal["calscale"]) == "GREGORIAN"
    assert str(cal["prodid"]).startswith("-//huikuan//")
    assert str(cal["x-wr-calname"]) == "回款跟进 · 李娜"
    events = cal.walk("VEVENT")
    assert len(events) == len(jobs.schedule(path, date(2026, 11, 9), "李娜").actions) == 15
    assert len({str(e["uid"]) for e in events}) == 15
    for e in events:
        for field in ("uid", "dtstamp", "dtstart", "dtend", "summary", "description"):
            assert field in e
        start = e.decoded("dtstart")
        assert type(start) is date and e.decoded("dtend") == date.fromordinal(start.toordinal() + 1)
        assert [a["action"] for a in e.walk("VALARM")] == ["DISPLAY"]
    first = events[0]  # today's first row: K2, the key account
    assert str(first["summary"]) == "取得承诺 · 宁波恒通五金机电有限公司"
    text = str(first["description"])
    for part in (
        "宁波恒通五金机电有限公司（K2）",
        "联系人：周海燕",
        "电话：0574-88880000",
        "涉及金额：8万",
    ):
        assert part in text
    assert "尚未承诺" in text and "业务员：李娜" in text
    chase = next(
        e
        for e in events
        if e.decoded("dtstart") == date(2026, 11, 30) and "杭州" in str(e["summary"])
    )
    assert "涉及金额：7.5万" in str(chase["description"])  # both installments, one event
    raw = ics.read_bytes()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded
    assert not [n for n in folder(tmp_path) if n.startswith(".")]  # no temporary file left


def test_a_later_export_updates_the_same_events_once_todays_calls_are_logged(
    tmp_path: Path,
) -> None:
    ics = tmp_path / "cal.ics"
    assert huikuan("schedule", team(tmp_path), "--as-of", AS_OF, "--ics", ics).returncode == 0
    first = {str(e["uid"]): e for e in read_ics(ics).walk("VEVENT")}
    # Monday's three calls logged in FollowUps, exported again on Tuesday: the next
    # chases and touches count from Monday's calls, so every later event keeps its day
    # and UID (with a higher SEQUENCE: calendars update it in place).
    calls = [["2026-11-09", cid, "承诺"] for cid in ("K1", "K2", "K3")]
    logged = team(tmp_path, logged=calls)
    assert huikuan("schedule", logged, "--as-of", "2026-11-10", "--ics", ics).returncode == 0
    second = {str(e["uid"]): e for e in read_ics(ics).walk("VEVENT")}
    assert set(second) == {u for u, e in first.items() if e.decoded("dtstart") > date(2026, 11, 9)}
    for uid, event in second.items():
        assert event.decoded("dtstart") == first[uid].decoded("dtstart")
        assert int(event["sequence"]) == int(first[uid]["sequence"]) + 1
    # Not logged, Monday's calls are still to do: they come back on Tuesday.
    unlogged = agenda_days(team(tmp_path), "2026-11-10")
    assert {"K1", "K2"} <= unlogged[date(2026, 11, 10)]


def agenda_days(path: Path, as_of: str) -> dict[date, set[str]]:
    result = jobs.schedule(path, date.fromisoformat(as_of))
    days: dict[date, set[str]] = {}
    for a in result.actions:
        days.setdefault(a.date, set()).add(a.row.customer.customer_id)
    return days


def test_ics_refuses_to_replace_a_file_that_is_not_a_calendar(tmp_path: Path) -> None:
    path = team(tmp_path)
    notes = tmp_path / "notes.ics"
    notes.write_text("my notes", encoding="utf-8")
    run = huikuan("schedule", path, "--as-of", AS_OF, "--ics", notes)
    assert run.returncode == 2 and "--force" in run.stderr
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert huikuan("schedule", path, "--as-of", AS_OF, "--ics", notes, "--force").returncode == 0
    assert len(read_ics(notes).walk("VEVENT")) == 20
    assert huikuan("schedule", path, "--ics", path).returncode == 2  # the workbook itself
    assert huikuan("schedule", path, "--ics", tmp_path).returncode == 2  # a folder


def test_calendar_is_built_in_english_for_an_english_workbook(tmp_path: Path) -> None:
    result = jobs.schedule(team(tmp_path, "en"), date(2026, 11, 9), "王强")
    cal = agenda.calendar(result.actions, result.book.lang, result.as_of, name=result.rep)
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events][:2] == [
        "remind · 苏州金源日用百货有限公司",
        "due-day check · 苏州金源日用百货有限公司",
    ]
    assert "Phone: 13900000003" in str(events[0]["description"])
    assert "At stake: 120,000.00" in str(events[0]["description"])


# ---- refresh writes the Schedule table and the new Status columns ---------------------

# The sample team of books.py seen on Mon 2026-11-23, by hand:
# C1 (A, key account, Wang): 60,000 due 11-10 and 40,000 due 11-25, 50,000 received → owes
#   10,000 and 40,000; short from 11-16 (10 + 5 + 1), so 11-25's installment follows B.
#   11-10's: chase from as_of every 7 days: 23, 30 (escalation, 21 days, is in December).
#   11-25's: reminder A 11-23 / B 11-22 (Sun) → 11-20, before as_of → 11-23; check 11-25;
#   B grace 3 → chase from 11-29 (Sun) → 11-30.
# C2 (C, Li): 30,000 due 11-05, nothing paid; a visit logged on 11-20 → chase no sooner
#   than 3 days after it: 23, 26, 29 (Sun) → 30; escalation (11-12) came before the visit.
# C3: no commitment and no target: nothing.
SCHEDULE_HEADERS = {
    "en": ["Date", "Customer ID", "Customer", "Sales rep", "Action", "Installment due",
           "At stake", "Reason", "Key account", "Phone"],
    "zh": ["日期", "客户编号", "客户名称", "业务员", "动作", "承诺回款日", "涉及金额", "原因",
           "重点客户", "电话"],
}  # fmt: skip
SCHEDULE_ROWS = [  # date, id, action, installment due, at stake
    (23, "C1", "chase", 10, 50_000),
    (23, "C2", "chase", 5, 30_000),
    (25, "C1", "due_check", 25, 40_000),
    (26, "C2", "chase", 5, 30_000),
    (30, "C1", "chase", 10, 50_000),
    (30, "C2", "chase", 5, 30_000),
]
ACTION_LABEL = {
    "en": {"chase": "chase", "due_check": "due-day check"},
    "zh": {"chase": "催收", "due_check": "到期确认"},
}
REASON_C1 = {
    "en": "10,000.00 due 2026-11-10 unpaid past the grace: chase; 40,000.00 due 2026-11-25: "
    "remind before it falls due; an installment was missed: followed one grade tighter",
    "zh": "2026年11月10日 到期 1万 未付，已过宽限期：催收；2026年11月25日 到期 4万：提前提醒；"
    "已有一期未兑现，跟进收紧一级",
}
# Status, after SPEC's promise column: next follow-up, priority (Wang: C1 partial before
# C3 none; Li: C2), settle ratio (no asks anywhere: 0.75), suggested ask (target ÷ 0.75,
# rounded up: 266,666.67 → 270,000 in 5,000s; 66,666.67 → 67,000 in 1,000s), no anchor.
STATUS_MORE = {
    "en": ["Next follow-up", "Priority", "Settle ratio", "Suggested ask", "No anchor"],
    "zh": ["下次跟进", "优先级", "成交比例", "建议要求", "未锚定"],
}
STATUS_MORE_ROWS = {
    "C1": (date(2026, 11, 23), 1, 0.75, 270_000),
    "C2": (date(2026, 11, 23), 1, 0.75, 67_000),
    "C3": (None, 2, 0.75, 0),
}
NO = {"en": "no", "zh": "否"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refresh_writes_the_schedule_and_the_new_status_columns(tmp_path: Path, lang: str) -> None:
    path = sample_book(tmp_path / "book.xlsx", lang)
    run = huikuan("refresh", path, "--as-of", "2026-11-23")
    assert run.returncode == 0, run.stderr
    sheet, headers, rows = table_rows(path, "Schedule")
    assert sheet == "Schedule" and headers == SCHEDULE_HEADERS[lang]
    got = [(r[0].day, r[1], r[4], r[5].day, Decimal(str(r[6]))) for r in rows]
    want = [
        (d, cid, ACTION_LABEL[lang][act], due, Decimal(stake))
        for d, cid, act, due, stake in SCHEDULE_ROWS
    ]
    assert got == want
    assert rows[0][2:4] == (["Acme Trading", "Wang"])
    assert rows[0][7] == REASON_C1[lang]
    assert rows[0][8] == {"en": "yes", "zh": "是"}[lang] and rows[1][8] == NO[lang]

    _, headers, rows = table_rows(path, "Status")
    assert headers[17 : 17 + len(STATUS_MORE[lang])] == STATUS_MORE[lang]
    for r in rows:
        nxt, priority, ratio, ask = STATUS_MORE_ROWS[r[1]]
        got_next = r[17].date() if r[17] else None
        assert (got_next, r[18], r[19], Decimal(str(r[20])), r[21]) == (
            nxt,
            priority,
            ratio,
            Decimal(ask),
            NO[lang],
        )
