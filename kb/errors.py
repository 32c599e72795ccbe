"""The one error type users see, and its few specialisations.

Every failure a user can act on is a KBError with a message (what went wrong, where) and a hint
(what to do). The CLI turns it into one line on stderr and exit 1; the dashboard into st.error.
"""

from __future__ import annotations

from dataclasses import dataclass


class KBError(Exception):
    """A failure with a message saying what and where, and a hint saying what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is (file, record or line, field) and what is wrong."""

    file: str
    where: str  # "record 2 (id 'koala')" or "line 14"
    field: str | None
    message: str

    def __str__(self) -> str:
        field = f" field '{self.field}':" if self.field else ""
        return f"{self.where}:{field} {self.message}"


class ValidationError(KBError):
    """Input was refused: every problem is listed and nothing was written."""

    def __init__(self, problems: list[Problem], hint: str | None = None) -> None:
        self.problems = list(problems)
        files = sorted({p.file for p in self.problems})
        n = len(self.problems)
        head = f"{', '.join(files)}: {n} problem{'s' if n != 1 else ''}, nothing was written"
        lines = [head] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines), hint)


class SourceError(KBError):
    """An upstream data file is missing, unreachable, truncated or fails its checksum."""


class StoreError(KBError):
    """The DuckDB store is missing, locked, from another schema version, or unreadable."""


class QueryError(KBError):
    """A user's SQL was refused or failed (read-only console and `kb query`)."""
