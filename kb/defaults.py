"""Default values of the analyses a user can override, in one light module.

The library uses them as its functions' defaults and the CLI as its options' defaults; this
module imports nothing, so `kb --help` can show them without loading pandas or DuckDB.
"""

from __future__ import annotations

from typing import Final, Literal

# "Highly exposed but little used" (and the reverse): the exposure percentile rank is at least
# 40 points above the usage percentile rank (or below it), among matched SOC codes.
MIN_GAP: Final = 0.4
# The usage headline: employment-weighted mean score and the share of workers in occupations
# scoring at least this much (about the top quarter of SOC codes: the upper quartile is 0.236).
USAGE_CUT: Final = 0.25

# The read-only SQL box (kb.sandbox, `kb query`, the dashboard's SQL page): its default bounds and
# output formats, here so `kb query --help` shows them without importing DuckDB.
SANDBOX_TIMEOUT_SECONDS: Final = 10.0
SANDBOX_MAX_ROWS: Final = 100_000
SANDBOX_MAX_ROWS_LIMIT: Final = 1_000_000  # the most any caller may ask for
SandboxFormat = Literal["table", "csv", "json"]
SANDBOX_FORMATS: Final[tuple[SandboxFormat, ...]] = ("table", "csv", "json")

# Release waves (kb.timeline.waves, `kb timeline waves`): a week with at least this many releases
# and this many times the mean weekly count of the weeks before it (this many weeks).
WAVE_MIN_RELEASES: Final = 6
WAVE_FACTOR: Final = 2.5
WAVE_WINDOW: Final = 26
