"""One small workbook interface: read an input table, write an output table.

The command line and the ribbon buttons share every job through it (jobs.py), so
a button does exactly what its command does. Two implementations:
- FileBook: a workbook file; python-calamine reads (files.FileTables), the
  package writer saves every written table at once, atomically, into the
  existing zip package (package_writer.py);
- LiveBook (live.py): the book open in Excel, through xlwings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from .files import FileTables
from .outputs import OutputTable
from .package import Risk
from .package_writer import write_outputs
from .reader import RawTable, TableSource


class Workbook(TableSource, Protocol):
    """Reads input tables by name; writes huikuan's output tables, each on its own sheet."""

    def table(self, name: str) -> RawTable | None: ...

    def write(self, out: OutputTable) -> None: ...


class FileBook:
    """A workbook file: tables read from `src`; written tables saved into `dest` by save()."""

    def __init__(self, src: Path, dest: Path | None = None) -> None:
        self.src = src
        self.dest = dest or src
        self._tables = FileTables(src)
        self.written: dict[str, OutputTable] = {}

    def table(self, name: str) -> RawTable | None:
        return self._tables.table(name)

    def heading(self, name: str) -> RawTable | None:
        """The table without its cells (FileTables.heading)."""
        return self._tables.heading(name)

    def done_with(self, name: str) -> None:
        """read_book has made its records: the table's cells are not needed any more."""
        self._tables.forget(name)

    def write(self, out: OutputTable) -> None:
        self.written[out.table.name] = out

    def save(self) -> list[Risk]:
        """Write every table given to write() in one atomic save; what the copy lacks."""
        return write_outputs(self.src, self.dest, list(self.written.values()))
