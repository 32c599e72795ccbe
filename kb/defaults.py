"""Default values of the analyses a user can override, in one light module.

The library uses them as its functions' defaults and the CLI as its options' defaults; this
module imports nothing, so `kb --help` can show them without loading pandas or DuckDB.
"""

from __future__ import annotations

from typing import Final

# "Highly exposed but little used" (and the reverse): the exposure percentile rank is at least
# 40 points above the usage percentile rank (or below it), among matched SOC codes.
MIN_GAP: Final = 0.4
# The usage headline: employment-weighted mean score and the share of workers in occupations
# scoring at least this much (about the top quarter of SOC codes: the upper quartile is 0.236).
USAGE_CUT: Final = 0.25
