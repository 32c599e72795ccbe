"""Quotable correlations are the same on every run.

DuckDB's corr() aggregates in parallel and, summed in another order, its last digits changed from
run to run (`kb usage compare` printed a different spearman_rho each time). The SQL now sums in a
fixed order; these tests ask for each correlation several times on the session store and also
check it against the same statistic computed by pandas from the rows the query correlates.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Workspace

from kb import exposure, store
from kb.usage import aei, working_with_ai

REPEATS = 5


def _same_every_time(compute: Callable[[], float]) -> float:
    values = {compute() for _ in range(REPEATS)}
    assert len(values) == 1, f"{len(values)} different values in {REPEATS} runs: {values}"
    return values.pop()


def test_usage_rank_correlation_is_identical_run_to_run(built: Workspace) -> None:
    with store.connect(built.db) as con:
        rho = _same_every_time(lambda: working_with_ai.rank_correlation(con).rho)
        rows = working_with_ai.comparison(con).dropna(subset=["exposure"])
    expected = rows["exposure"].rank().corr(rows["usage_score"].rank())
    assert rho == pytest.approx(expected, abs=1e-12)


def test_aei_rank_correlation_is_identical_run_to_run(built: Workspace) -> None:
    with store.connect(built.db) as con:
        _same_every_time(lambda: aei.rank_correlation(con)[0])


@pytest.mark.parametrize("level", ["task", "occupation"])
def test_agreement_pearson_r_is_identical_run_to_run(built: Workspace, level: str) -> None:
    with store.connect(built.db) as con:
        _same_every_time(
            lambda: exposure.agreement(con, "beta", level, ("human", "gpt4")).pearson_r
        )
