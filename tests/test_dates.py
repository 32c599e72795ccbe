"""kb.dates: one parser for partial ISO dates (day, month, year), one contract."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kb import dates


@pytest.mark.parametrize(
    "value, first_day, precision, text",
    [
        ("2023-03-14", date(2023, 3, 14), "day", "2023-03-14"),
        (" 2023-03 ", date(2023, 3, 1), "month", "2023-03"),
        ("2023", date(2023, 1, 1), "year", "2023"),
        (2023, date(2023, 1, 1), "year", "2023"),
        (date(2024, 2, 29), date(2024, 2, 29), "day", "2024-02-29"),
    ],
)
def test_parse_gives_the_first_day_and_the_precision(value, first_day, precision, text):
    parsed = dates.parse(value)
    assert (parsed.first_day, parsed.precision, str(parsed)) == (first_day, precision, text)
    assert dates.format(parsed.first_day, parsed.precision) == text


@pytest.mark.parametrize(
    "value, partial, message",
    [
        ("2023-13-01", True, "'2023-13-01' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("2023-02-29", False, "'2023-02-29' is not a date (YYYY-MM-DD)"),
        ("2023-03", False, "'2023-03' is not a date (YYYY-MM-DD)"),
        (2023, False, "must be a date (YYYY-MM-DD), got a number"),
        (True, True, "must be a date (YYYY-MM-DD, YYYY-MM or YYYY), got a boolean"),
        (None, True, "must be a date (YYYY-MM-DD, YYYY-MM or YYYY), got nothing"),
        (
            datetime(2023, 3, 14, 9),
            True,
            "'2023-03-14 09:00:00' has a time of day; give a date (YYYY-MM-DD)",
        ),
        ("x" * 100, True, f"'{'x' * 39}…' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
    ],
)
def test_parse_refuses_what_is_not_a_date(value, partial, message):
    with pytest.raises(ValueError) as info:
        dates.parse(value, partial=partial)
    assert str(info.value) == message


def test_parse_day_is_none_for_anything_but_a_full_date():
    assert dates.parse_day("2023-03-17") == date(2023, 3, 17)
    assert dates.parse_day(date(2023, 3, 17)) == date(2023, 3, 17)
    assert [dates.parse_day(v) for v in ("2023-03", "2023-02-30", "17/03/2023", None, 5)] == [
        None,
        None,
        None,
        None,
        None,
    ]


def test_partial_dates_sort_by_their_first_day():
    values = ["2023-03-14", "2023", "2023-03", "2022-12-31"]
    assert [str(d) for d in sorted(dates.parse(v) for v in values)] == [
        "2022-12-31",
        "2023",
        "2023-03",
        "2023-03-14",
    ]
