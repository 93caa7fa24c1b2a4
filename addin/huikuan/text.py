"""Small text rules shared by every surface: display width, matching a rep's name."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or a cell: East-Asian wide and full-width count 2."""
    if text.isascii():  # no ASCII character is wide: one column each
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def name_key(text: str) -> str:
    """A name as compared: NFKC (full-width → half-width), spaces of any width trimmed
    and collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def match_name(names: Iterable[str], wanted: str) -> str | None:
    """The first of `names` equal to `wanted` by `name_key`, as spelled in `names`; else None."""
    key = name_key(wanted)
    return next((n for n in names if name_key(n) == key), None)
