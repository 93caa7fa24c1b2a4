"""Command-line options every `huikuan` command shares: --as-of and a month, defined once."""

from __future__ import annotations

import argparse
from datetime import date

from .values import BadValue, parse_date, parse_month

AS_OF_HELP = "compute as of this day (default today), e.g. 2026-11-23 or 2026年11月23日"


def as_of_date(text: str) -> date:
    """An --as-of value: any date the workbook accepts (2026-11-23, 2026年11月23日, ...)."""
    try:
        return parse_date(text)
    except BadValue as bad:
        raise argparse.ArgumentTypeError(f"{bad.en} / {bad.zh}") from None


def month(text: str) -> date:
    """A month (2026-12, 2026年12月): its first day."""
    try:
        return parse_month(text)
    except BadValue as bad:
        raise argparse.ArgumentTypeError(f"{bad.en} / {bad.zh}") from None


def add_as_of(command: argparse.ArgumentParser, help: str = AS_OF_HELP) -> None:
    """The --as-of DATE option of every command that computes: `args.as_of`, today if not given."""
    command.add_argument(
        "--as-of", type=as_of_date, default=date.today(), metavar="DATE", help=help
    )
