"""The one error type users see, its few specialisations, and the did-you-mean suggestion.

Every failure a user can act on is a KBError with a message (what went wrong, where) and a hint
(what to do). The CLI turns it into one line on stderr and exit 1; the dashboard into st.error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

# A refused input lists this many problems one by one and counts the rest: enough to fix a
# file in one pass, short enough to read (and bounded for a file of two million bad records).
MAX_LISTED_PROBLEMS: Final = 50
# Checking stops once this many problems are collected: a file of two million bad records is
# refused in a second, with bounded memory, rather than after minutes of counting.
MAX_COLLECTED_PROBLEMS: Final = 1_000
# Suggestions: at most this many close names, at least this similar (difflib's ratio).
MAX_SUGGESTIONS: Final = 3
SUGGESTION_CUTOFF: Final = 0.6


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


class ProblemList(list[Problem]):
    """Problems collected up to a cap: a checker stops once `full`, saying where in `stopped`
    ("records 1,201 to 2,300,000 of big.json were not checked")."""

    def __init__(
        self, problems: Iterable[Problem] = (), limit: int = MAX_COLLECTED_PROBLEMS
    ) -> None:
        super().__init__(problems)
        self.limit = limit
        self.stopped: str | None = None

    @property
    def full(self) -> bool:
        return len(self) >= self.limit


class ValidationError(KBError):
    """Input was refused: the problems are kept, the first MAX_LISTED_PROBLEMS are listed, and
    nothing was written. `stopped` says what was left unchecked when checking stopped early
    (taken from a ProblemList when not given)."""

    def __init__(
        self, problems: Sequence[Problem], hint: str | None = None, *, stopped: str | None = None
    ) -> None:
        if stopped is None and isinstance(problems, ProblemList):
            stopped = problems.stopped
        self.problems = list(problems)
        self.stopped = stopped
        files = sorted({p.file for p in self.problems})
        n = len(self.problems)
        count = f"{n:,}{' or more' if stopped else ''} problem{'s' if n != 1 or stopped else ''}"
        head = f"{', '.join(files)}: {count}, nothing was written"
        lines = [head] + [f"  {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        more = [f"{n - MAX_LISTED_PROBLEMS:,} more problems"] if n > MAX_LISTED_PROBLEMS else []
        if stopped:
            more.append(f"checking stopped early: {stopped}")
        if more:
            lines.append(f"  ... and {'; '.join(more)}")
        super().__init__("\n".join(lines), hint)


class SourceError(KBError):
    """An upstream data file is missing, unreachable, truncated or fails its checksum."""


class StoreError(KBError):
    """The DuckDB store is missing, locked, from another schema version, or unreadable."""


class QueryError(KBError):
    """A user's SQL was refused or failed (read-only console and `kb query`)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """'did you mean 'a', 'b'?' for the known names closest to a mistyped one, or '' if none is
    close. Callers place it: "No release 'gpt4' (did you mean 'gpt-4'?)" or capitalised after a
    full stop."""
    import difflib  # only when a name is wrong: most commands never suggest one

    matches = difflib.get_close_matches(
        name, sorted(set(candidates)), n=MAX_SUGGESTIONS, cutoff=SUGGESTION_CUTOFF
    )
    return f"did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""


def type_name(value: Any) -> str:
    """How a message names the type of a value read from YAML, JSON or CSV."""
    names = {
        dict: "a mapping",
        list: "a list",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "nothing",
        str: "text",
        bytes: "binary data",
        set: "a set",
        tuple: "a pair",
    }
    for typ, label in names.items():
        if type(value) is typ:
            return label
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters for a message (a field can be a megabyte)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
