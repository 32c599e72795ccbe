"""What the benchmark times in kb: exposure queries, release ingestion, the timeline graph and the
dashboard's warm rerun. Each function returns {figure name: (Stats, extra facts)}."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from timing import Stats, time_calls

from kb import exposure, store

REPO = Path(__file__).resolve().parent.parent
PAPER = {
    "rater": "human",
    "measure": "beta",
    "weighting": "equal",
    "compare": "gt",
    "employment": "paper",
}
CURVE_RATERS = ("human", "gpt4")
CURVE_MEASURES = ("alpha", "beta", "zeta")
BREAKDOWNS = ("major_group", "job_zone", "education", "wage_quintile")
EXPLORER_SEARCH = "data"


def paper_recipe() -> Any:
    return exposure.Recipe(**PAPER)


def headline_share(con: Any, threshold: float) -> float:
    """The paper's headline: share of workers in occupations above the threshold."""
    return float(exposure.share(con, threshold, paper_recipe()).share_workers)


def curve_recipes() -> list[Any]:
    return [
        exposure.Recipe(**{**PAPER, "rater": rater, "measure": measure})
        for rater in CURVE_RATERS
        for measure in CURVE_MEASURES
    ]


def full_curve(con: Any) -> int:
    """101 thresholds x 3 measures x 2 raters: the dashboard's curve for every recipe it offers,
    asked for together (kb.exposure.curves: one query)."""
    return sum(len(frame) for frame in exposure.curves(con, curve_recipes()).values())


def full_curve_one_by_one(con: Any) -> int:
    """The same six curves with one kb.exposure.curve call each."""
    return sum(len(exposure.curve(con, recipe)) for recipe in curve_recipes())


def breakdown(con: Any, by: str) -> int:
    return len(exposure.share(con, 0.1, paper_recipe(), by=by))


def explorer_lookup(con: Any, text: str = EXPLORER_SEARCH) -> int:
    """The explorer: search by title, then open the first hit's detail (tasks, exposure, rank)."""
    hits = exposure.search_occupations(con, text)
    code = hits["onet_code"].iloc[0]
    detail = exposure.occupation_detail(con, code)
    return len(hits) + (1 if detail is not None else 0)


def query_figures(db: Path, repeats: int) -> dict[str, tuple[Stats, dict]]:
    """Exposure queries on an open read-only connection (the work), and the dashboard's pattern
    of open-query-close per call (the work plus about one connect)."""
    out: dict[str, tuple[Stats, dict]] = {}
    with store.connect(db) as con:
        out["headline share (1 threshold)"] = _timed(lambda: headline_share(con, 0.1), repeats)
        out["full curve (101 x 3 measures x 2 raters)"] = _timed(lambda: full_curve(con), repeats)
        out["full curve, one curve() call per recipe"] = _timed(
            lambda: full_curve_one_by_one(con), repeats
        )
        for by in BREAKDOWNS:
            out[f"breakdown by {by}"] = _timed(lambda by=by: breakdown(con, by), repeats)
        out["explorer lookup (search + detail)"] = _timed(lambda: explorer_lookup(con), repeats)

    def connect_and_share() -> float:
        with store.connect(db) as con:
            return headline_share(con, 0.1)

    out["headline share incl. open/close"] = _timed(connect_and_share, repeats)
    return out


def _timed(func: Any, repeats: int) -> tuple[Stats, dict]:
    stats, result = time_calls(func, repeats)
    return stats, {"result": result}


# --- releases -----------------------------------------------------------------------------------


def synthetic_releases(n: int, parents: list[str]) -> list[dict[str, Any]]:
    """n releases with lineage: each builds on an earlier one (a deep, branching tree) and a few
    on a real release, spread over 2023-2025, with a source URL each."""
    from kb.vocabulary import KINDS, RELATION_TYPES

    kinds = sorted(k for k in KINDS if k != "external")
    relation_types = sorted(RELATION_TYPES)
    start = date(2023, 3, 15)
    records = []
    for i in range(n):
        rid = f"synth-{i:05d}"
        record: dict[str, Any] = {
            "id": rid,
            "name": f"Synthetic model {i}",
            "organisations": [f"Synthetic Lab {i % 97}"],
            "date": (start + timedelta(days=i % 1000)).isoformat(),
            "kind": kinds[i % len(kinds)],
            "summary": f"Generated release {i} for the benchmark.",
            "sources": [f"https://example.org/releases/{rid}"],
        }
        if i > 0:
            parent = f"synth-{(i - 1) // 2:05d}"
            record["relations"] = [
                {
                    "type": relation_types[i % len(relation_types)],
                    "target": parent,
                    "source": record["sources"][0],
                }
            ]
            if parents and i % 50 == 0:
                record["relations"].append(
                    {
                        "type": relation_types[0],
                        "target": parents[i % len(parents)],
                        "source": record["sources"][0],
                    }
                )
        records.append(record)
    # Lineage points backwards in time: a child is never dated before its parent.
    for record in records[1:]:
        parent = records[(int(record["id"][6:]) - 1) // 2]
        record["date"] = max(record["date"], parent["date"])
    return records


def ingest_figures(
    built_db: Path, data_dir: Path, n: int, repeats: int
) -> dict[str, tuple[Stats, dict]]:
    """Ingesting n generated releases (files in a temp copy of data/ and the store, one
    transaction), then building the timeline graph from the store that holds them."""
    from kb import releases, timeline

    out: dict[str, tuple[Stats, dict]] = {}
    with store.connect(built_db) as con:
        existing = [
            r[0]
            for r in con.execute(
                "SELECT id FROM releases WHERE kind <> 'external' ORDER BY id"
            ).fetchall()
        ]
    samples = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-ingest-") as tmp:
        batch = Path(tmp) / "releases.json"
        batch.write_text(json.dumps(synthetic_releases(n, existing)))
        import time

        last_db = None
        for run in range(repeats):
            work = Path(tmp) / f"run{run}"
            shutil.copytree(
                data_dir, work / "data", ignore=shutil.ignore_patterns("*.duckdb*", "cache")
            )
            shutil.copy2(built_db, work / "kb.duckdb")
            started = time.perf_counter()
            report = releases.ingest([batch], db=work / "kb.duckdb", data_dir=work / "data")
            samples.append(time.perf_counter() - started)
            added = sum(1 for o in report.outcomes if o.status == "added")
            assert added == n, f"expected {n} added releases, got {added}"
            if last_db is not None:
                shutil.rmtree(last_db.parent)
            last_db = work / "kb.duckdb"
        out[f"ingest {n:,} releases with lineage"] = (Stats.of(samples), {"added": n})
        with store.connect(last_db) as con:
            stats, graph = time_calls(lambda: timeline.load_graph(con), repeats)
            out[f"timeline graph from {n:,}+ releases"] = (
                stats,
                {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()},
            )
    return out


# --- dashboard ----------------------------------------------------------------------------------


def dashboard_figures(db: Path, repeats: int) -> dict[str, tuple[Stats, dict]]:
    """The dashboard's warm rerun after a threshold slider change (Streamlit AppTest, in process:
    the script rerun with the cached kb queries, not the browser's rendering)."""
    from streamlit.testing.v1 import AppTest

    os.environ["KB_DB"] = str(db)
    app = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=120)
    app.run()
    app.switch_page("app/pages/exposure.py")
    app.run()
    if app.exception:
        raise RuntimeError(f"the dashboard raised: {app.exception}")
    slider = _threshold_slider(app)
    # Nine positions between 10% and 50%, in the slider's own unit (percent or fraction).
    scale = 100 if isinstance(slider.value, int) or slider.max > 1 else 1
    values = [type(slider.value)(round((0.1 + 0.05 * i) * scale, 2)) for i in range(9)]
    for value in values:  # warm every value once: the timed moves then hit st.cache_data
        _threshold_slider(app).set_value(value).run()

    def move(i: list[int] = [0]) -> None:  # noqa: B006 (a counter across calls)
        i[0] += 1
        _threshold_slider(app).set_value(values[i[0] % len(values)]).run()

    stats, _ = time_calls(move, repeats, warmup=0)
    if app.exception:
        raise RuntimeError(f"the dashboard raised: {app.exception}")
    return {"dashboard warm rerun (slider change)": (stats, {"page": "Exposure"})}


def _threshold_slider(app: Any) -> Any:
    for slider in app.slider:
        if "threshold" in (slider.label or "").lower():
            return slider
    raise RuntimeError("no threshold slider on the Exposure page")
