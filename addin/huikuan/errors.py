"""The app-wide error: a file or request that cannot be used at all (exit 2).

Every surface (CLI, ribbon, team commands) shows `message(lang)`; the text names
the user's own file, never a temporary one, and says what to do.
"""

from __future__ import annotations


class Unusable(Exception):
    """The file or command cannot be used at all (exit 2); message in both languages."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh

    def message(self, lang: str | None) -> str:
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        return f"{self.zh}\n{self.en}"
