"""Partial ISO dates: a day (2023-03-14), a month (2023-03) or a year (2023), with one parser.

Release dates are often known only to the month or year; label sets and facts need a day. Both
go through `parse`, which returns the first day of the period with its precision, or raises
ValueError with a message fit to show the user (what was given, what is expected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from kb.errors import clip, type_name
from kb.vocabulary import DatePrecision

DATE_PATTERN: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PRECISIONS: Final[dict[int, DatePrecision]] = {1: "year", 2: "month", 3: "day"}


@dataclass(frozen=True, order=True)
class PartialDate:
    """A day, month or year: its first day and how precisely it is known."""

    first_day: date
    precision: DatePrecision

    def __str__(self) -> str:
        return format(self.first_day, self.precision)


def parse(value: Any, *, partial: bool = True) -> PartialDate:
    """A date given as ISO text, a date object, or (when partial) a whole-number year.

    partial=False accepts days only. Raises ValueError saying what was wrong.
    """
    wanted = "YYYY-MM-DD, YYYY-MM or YYYY" if partial else "YYYY-MM-DD"
    if isinstance(value, datetime):
        raise ValueError(f"'{value}' has a time of day; give a date (YYYY-MM-DD)")
    if isinstance(value, date):
        return PartialDate(value, "day")
    if isinstance(value, int) and not isinstance(value, bool) and partial:
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"must be a date ({wanted}), got {type_name(value)}")
    text = value.strip()
    match = DATE_PATTERN.fullmatch(text)
    if not match or (not partial and match.group(3) is None):
        raise ValueError(f"'{clip(value, 40)}' is not a date ({wanted})")
    parts = [int(g) for g in match.groups() if g]
    try:
        day = date(parts[0], *[*parts[1:], 1, 1][:2])
    except ValueError:
        raise ValueError(f"'{text}' is not a date ({wanted})") from None
    return PartialDate(day, _PRECISIONS[len(parts)])


def parse_day(value: Any) -> date | None:
    """A full date (YYYY-MM-DD text or a date object) as a date, or None if it is not one."""
    try:
        return parse(value, partial=False).first_day
    except ValueError:
        return None


def first_day(text: str) -> date:
    """The first day of a partial date given as text ('2023-03' -> 2023-03-01)."""
    return parse(text).first_day


def format(day: date, precision: DatePrecision) -> str:  # read as dates.format
    """A day written to a precision: (2023-03-01, 'month') -> '2023-03'."""
    text = day.isoformat()
    return {"day": text, "month": text[:7], "year": text[:4]}[precision]
