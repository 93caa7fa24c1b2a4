"""A rep's agenda: today's and this week's actions as a terminal table, and an .ics calendar.

Both read the engine's Actions (engine/schedule.py) and speak the workbook's
language: dates like 2026年11月5日, amounts like 12.5万 in Chinese. The
calendar is RFC 5545, written with the `icalendar` library: one all-day event
per action with a 09:00 reminder, a UID stable per customer and day (there is
one action per customer per day) so importing a newer file updates events
instead of doubling them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import icalendar

from . import __version__, contract
from .engine.schedule import Action
from .errors import Unusable
from .fileio import write_atomic
from .text import display_width
from .values import format_amount, format_date
from .workbook.outputs import reasons_text

WEEKDAYS = {
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
WORDS = {
    "zh": {
        "title": "{who}跟进计划 · {day}",
        "everyone": "全体",
        "today": "今天 {day}",
        "week": "本周 {first}—{last}",
        "none": "  （无）",
        "later": "此后本月还有 {n} 项跟进{where}",
        "ics": "，均已写入日历文件",
        "no_ics": "（加 --ics 导出日历；refresh 会写入“跟进计划”表）",
        "date": "日期",
        "contact": "联系人",
        "description": (
            "客户：{name}（{cid}）\n联系人：{contact}\n电话：{phone}\n"
            "涉及金额：{amount}\n原因：{reason}\n业务员：{rep}"
        ),
        "calendar": "回款跟进",
        "alarm": "回款跟进：{summary}",
    },
    "en": {
        "title": "Follow-ups for {who} · {day}",
        "everyone": "everyone",
        "today": "Today {day}",
        "week": "This week {first} – {last}",
        "none": "  (none)",
        "later": "{n} more follow-ups later this month{where}",
        "ics": ", all in the calendar file",
        "no_ics": " (--ics exports them; refresh writes the Schedule sheet)",
        "date": "Date",
        "contact": "Contact",
        "description": (
            "Customer: {name} ({cid})\nContact: {contact}\nPhone: {phone}\n"
            "At stake: {amount}\nReason: {reason}\nSales rep: {rep}"
        ),
        "calendar": "Collection follow-ups",
        "alarm": "Follow-up: {summary}",
    },
}


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


# ---- the terminal table ----------------------------------------------------------


def left(text: str, columns: int) -> str:
    return text + " " * max(0, columns - display_width(text))


def right(text: str, columns: int) -> str:
    return " " * max(0, columns - display_width(text)) + text


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Iterable[int]
) -> list[str]:
    """Aligned lines: columns as wide as their widest cell, `numeric` ones right-aligned.

    The last column is left ragged (a long reason does not widen the others).
    """
    numeric = set(numeric)
    widths = [max(display_width(r[i]) for r in (headers, *rows)) for i in range(len(headers))]
    lines = []
    for cells in (headers, *rows):
        out = [
            (right if i in numeric else left)(cell, widths[i]) if i < len(cells) - 1 else cell
            for i, cell in enumerate(cells)
        ]
        lines.append("  " + "  ".join(out).rstrip())
    return lines


def week_of(day: date) -> tuple[date, date]:
    """The rest of `day`'s week after it: the next day to Sunday (empty on a Sunday)."""
    return day + timedelta(days=1), day + timedelta(days=6 - day.weekday())


def day_label(day: date, lang: str) -> str:
    return f"{format_date(day, lang)} {WEEKDAYS[_lang(lang)][day.weekday()]}"


def _cells(act: Action, lang: str, with_date: bool, with_rep: bool) -> list[str]:
    cust = act.row.customer
    cells = [day_label(act.date, lang)] if with_date else []
    cells += [cust.rep] if with_rep else []
    cells += [
        cust.name + (" ★" if cust.key_account else ""),
        cust.contact or "",
        cust.phone or "",
        contract.choice_label(contract.ACTIONS, act.action, lang),
        format_amount(act.amount_at_stake, lang),
        reasons_text(act.reasons, lang),
    ]
    return cells


def _section(actions: Sequence[Action], lang: str, with_date: bool, with_rep: bool) -> list[str]:
    if not actions:
        return [WORDS[_lang(lang)]["none"]]
    labels = {c.key: c.label(lang) for c in contract.SCHEDULE.columns}
    head = [WORDS[_lang(lang)]["date"]] if with_date else []
    head += [labels["rep"]] if with_rep else []
    head += [
        labels["name"],
        WORDS[_lang(lang)]["contact"],
        contract.CUSTOMERS.column("phone").label(lang),
        labels["action"],
        labels["amount_at_stake"],
        labels["reason"],
    ]
    rows = [_cells(a, lang, with_date, with_rep) for a in actions]
    return table(head, rows, numeric={len(head) - 2})


def agenda_lines(
    actions: Sequence[Action], as_of: date, lang: str, rep: str | None, ics: bool = False
) -> list[str]:
    """Today's and the rest of this week's actions, in the workbook's language.

    Key accounts are marked ★. Without `rep`, every rep's actions, with a rep column.
    """
    words = WORDS[_lang(lang)]
    first, last = week_of(as_of)
    today = [a for a in actions if a.date == as_of]
    week = [a for a in actions if first <= a.date <= last]
    later = sum(1 for a in actions if a.date > last)
    with_rep = rep is None
    lines = [
        words["title"].format(who=rep or words["everyone"], day=day_label(as_of, lang)),
        "",
        words["today"].format(day=day_label(as_of, lang)),
        *_section(today, lang, with_date=False, with_rep=with_rep),
    ]
    if first <= last:
        span = words["week"].format(first=day_label(first, lang), last=day_label(last, lang))
        lines += ["", span, *_section(week, lang, with_date=True, with_rep=with_rep)]
    if later:
        lines += ["", words["later"].format(n=later, where=words["ics" if ics else "no_ics"])]
    return lines


# ---- the calendar ------------------------------------------------------------------


def event_uid(act: Action) -> str:
    """Stable for a customer's day: a newer file's event replaces the older one's."""
    cid = hashlib.sha256(act.row.customer.customer_id.encode()).hexdigest()[:16]
    return f"{act.date:%Y%m%d}-{cid}@huikuan"


def summary(act: Action, lang: str) -> str:
    what = contract.choice_label(contract.ACTIONS, act.action, lang)
    return f"{what} · {act.row.customer.name}"


def description(act: Action, lang: str) -> str:
    cust = act.row.customer
    return WORDS[_lang(lang)]["description"].format(
        name=cust.name,
        cid=cust.customer_id,
        contact=cust.contact or "—",
        phone=cust.phone or "—",
        amount=format_amount(act.amount_at_stake, lang),
        reason=reasons_text(act.reasons, lang),
        rep=cust.rep,
    )


def calendar(
    actions: Iterable[Action],
    lang: str,
    as_of: date,
    name: str | None = None,
    stamp: datetime | None = None,
) -> icalendar.Calendar:
    """One all-day VEVENT per action (09:00 reminder), in an RFC 5545 VCALENDAR.

    SEQUENCE grows with as_of, so a later export updates the same day's event.
    """
    words = WORDS[_lang(lang)]
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//huikuan//huikuan {__version__}//{_lang(lang).upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", words["calendar"] + (f" · {name}" if name else ""))
    for act in actions:
        event = icalendar.Event()
        event.add("uid", event_uid(act))
        event.add("dtstamp", stamp)
        event.add("sequence", (as_of - date(2020, 1, 1)).days)
        event.add("dtstart", act.date)
        event.add("dtend", act.date + timedelta(days=1))
        event.add("summary", summary(act, lang))
        event.add("description", description(act, lang))
        event.add("categories", [words["calendar"]])
        event.add("transp", "TRANSPARENT")  # a to-do on the day, not a busy block
        if act.row.customer.key_account or act.action == "escalate":
            event.add("priority", 1)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", words["alarm"].format(summary=summary(act, lang)))
        alarm.add("trigger", timedelta(hours=9))  # 09:00 on the day
        event.add_component(alarm)
        cal.add_component(event)
    return cal


def _is_calendar(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(64).lstrip(b"\xef\xbb\xbf \r\n").upper().startswith(b"BEGIN:VCALENDAR")


def write_ics(cal: icalendar.Calendar, dest: Path, force: bool = False) -> Path:
    """Write `cal` atomically (a temporary file beside it, then one rename).

    An existing calendar file is replaced; any other existing file only with `force`.
    """
    if dest.is_dir():
        raise Unusable(f"{dest}: is a folder", f"{dest}：是文件夹")
    if dest.exists() and not force and not _is_calendar(dest):
        raise Unusable(
            f"{dest.name} exists and is not a calendar; not overwritten (use --force)",
            f"{dest.name} 已存在且不是日历文件，未覆盖（如需替换请加 --force）",
        )
    return write_atomic(dest, cal.to_ical())
