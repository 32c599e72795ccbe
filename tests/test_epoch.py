"""Epoch AI's tables: recognising them, checking them, and every model in the store once,
merged with the curated timeline through the crosswalk.

Expected values come from the mirror files read here with pandas.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kb import sql, timeline
from kb.build import BuildContext
from kb.errors import KBError, ValidationError
from kb.releases import epoch, living
from kb.releases import load_into as load_curated
from kb.store import schema_files

REPO = Path(__file__).resolve().parent.parent
MIRRORS = REPO.parent / "shared" / "data"
EPOCH = MIRRORS / "epoch"
NOTABLE = EPOCH / "notable_ai_models.csv"
LARGE = EPOCH / "large_scale_ai_models.csv"
BENCHMARKED = EPOCH / "benchmarked_models.csv"

pytestmark = pytest.mark.skipif(not EPOCH.is_dir(), reason="no Epoch mirror beside the repo")


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.apply(lambda column: column.str.strip())


def build_store(data_dir: Path) -> tuple[duckdb.DuckDBPyConnection, BuildContext, float]:
    """Schema, curated releases, then the living sources (timed) in a fresh in-memory store."""
    con = duckdb.connect()
    for ddl in schema_files():
        con.execute(ddl.read_text())
    ctx = BuildContext(data_dir=data_dir, raw_dir=MIRRORS / "gpts-are-gpts")
    load_curated(con, ctx)
    started = time.perf_counter()
    living.load_into(con, ctx)
    return con, ctx, time.perf_counter() - started


@pytest.fixture(scope="module")
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    con, _, _ = build_store(REPO / "data")
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, query: str, *params: object) -> object:
    row = con.execute(query, list(params)).fetchone()
    assert row is not None
    return row[0]


# --- recognising and checking files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "table"), [(NOTABLE, "notable"), (LARGE, "large_scale"), (BENCHMARKED, "benchmarked")]
)
def test_recognises_each_table_and_reads_every_row(path: Path, table: str) -> None:
    read = epoch.read_table(path)
    assert read.table == table
    assert len(read.rows) == len(_read(path))


def test_recognises_a_renamed_file_by_its_header(tmp_path: Path) -> None:
    renamed = tmp_path / "download.csv"
    renamed.write_bytes(LARGE.read_bytes())
    assert epoch.read_table(renamed).table == "large_scale"


def test_unknown_header_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    other = tmp_path / "models.csv"
    other.write_text("Name,Date\nx,2023-01-01\n")
    with pytest.raises(KBError) as caught:
        epoch.read_table(other)
    assert (
        str(other) in caught.value.message
        and "not a recognised Epoch AI table" in caught.value.message
    )
    assert "notable: Model, Organization, Publication date" in (caught.value.hint or "")


def test_misnamed_file_says_which_columns_are_missing(tmp_path: Path) -> None:
    wrong = tmp_path / "notable_ai_models.csv"
    wrong.write_text("Model,Organization\nx,y\n")
    with pytest.raises(KBError, match="looks like Epoch's notable table by its name, but lacks"):
        epoch.read_table(wrong)


def test_every_problem_is_listed_with_line_and_field(tmp_path: Path) -> None:
    header = NOTABLE.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    bad = tmp_path / "notable_ai_models.csv"

    def row(**cells: str) -> str:
        return ",".join(cells.get(c.strip('"'), "") for c in columns)

    bad.write_text(
        "\n".join(
            [
                header,
                row(Model="A", **{"Publication date": "2023-02-30"}),
                row(Model="B", **{"Publication date": "2023-01-01", "Parameters": "lots"}),
                row(
                    Model="A", **{"Publication date": "2023-01-01", "Model accessibility": "Maybe"}
                ),
            ]
        )
        + "\n"
    )
    with pytest.raises(ValidationError) as caught:
        epoch.read_table(bad)
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("4 problems, nothing was written")
    assert "  line 2: field 'Publication date': '2023-02-30' is not a date" in lines[1]
    assert lines[2] == "  line 3: field 'Parameters': 'lots' is not a number"
    assert lines[3] == "  line 4: field 'Model': 'A' is also on line 2"
    assert lines[4].startswith("  line 4: field 'Model accessibility': 'Maybe' is not one of")


# --- the store ------------------------------------------------------------------------------------


def test_every_notable_and_large_scale_model_is_present_once(
    store: duckdb.DuckDBPyConnection,
) -> None:
    names = set(_read(NOTABLE)["Model"]) | set(_read(LARGE)["Model"])
    rows = store.execute(
        "SELECT source_key, count(*) FROM source_records WHERE source = 'epoch' "
        "AND status = 'current' AND role <> 'placeholder' GROUP BY source_key"
    ).fetchall()
    held = {key for key, _ in rows}
    assert names <= held
    assert all(n == 1 for _, n in rows)
    # Each name is one release, and no two names of the notable/large tables share one release
    # unless the crosswalk says they are the same curated release.
    shared = store.execute(
        "SELECT release_id FROM source_records WHERE source = 'epoch' AND role = 'release' "
        "GROUP BY release_id HAVING count(*) > 1"
    ).fetchall()
    linked = {r[0] for r in store.execute("SELECT release_id FROM crosswalk").fetchall()}
    assert {r[0] for r in shared} <= linked


def test_no_release_duplicates_a_curated_id(store: duckdb.DuckDBPyConnection) -> None:
    curated = {p.stem for p in (REPO / "data" / "releases").glob("*.yaml")}
    made = {r[0] for r in store.execute("SELECT release_id FROM release_origins").fetchall()}
    assert not curated & made
    assert _one(store, "SELECT count(*) FROM releases") == len(curated) + len(made)


def test_withdrawn_models_are_kept(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In the mirror, April's only missing name is still in another table: nothing withdrawn.
    april_file = EPOCH / "snapshots" / "2026-04-23" / "notable_ai_models.csv"
    now = (
        set(_read(NOTABLE)["Model"]) | set(_read(LARGE)["Model"]) | set(_read(BENCHMARKED)["Model"])
    )
    gone = set(_read(april_file)["Model"]) - now
    withdrawn = {
        r[0]
        for r in store.execute(
            "SELECT source_key FROM source_records WHERE status = 'withdrawn'"
        ).fetchall()
    }
    assert withdrawn == gone
    # An older snapshot with a model the newer one dropped: kept, marked withdrawn.
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name in ("releases", "crosswalk.yml"):
        source = REPO / "data" / name
        target = data_dir / name
        if source.is_dir():
            target.mkdir()
            for file in source.glob("*.yaml"):
                (target / file.name).write_bytes(file.read_bytes())
        else:
            target.write_bytes(source.read_bytes())
    text = april_file.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    extra = ",".join(
        {
            "Model": "Dropped Model",
            "Publication date": "2026-01-05",
            "Organization": "Nobody Labs",
        }.get(c, "")
        for c in header
    )
    older = tmp_path / "older.csv"
    older.write_text(text.rstrip("\n") + "\n" + extra + "\n", encoding="utf-8")
    living.take_in([older], data_dir=data_dir, snapshot_date="2026-04-01")
    living.take_in([NOTABLE], data_dir=data_dir)
    con, _, _ = build_store(data_dir)
    rows = con.execute(
        "SELECT s.status, r.name, CAST(r.date AS VARCHAR) FROM source_records s "
        "JOIN releases r ON r.id = s.release_id "
        "WHERE s.source_key = 'Dropped Model'"
    ).fetchall()
    assert rows == [("withdrawn", "Dropped Model", "2026-01-05")]


def test_crosswalk_gpt4_claude_llama_once_in_early_2023(store: duckdb.DuckDBPyConnection) -> None:
    early = store.execute(
        "SELECT id, name FROM releases WHERE date BETWEEN '2023-01-01' AND '2023-06-30'"
    ).fetchall()
    names = [name for _, name in early]
    assert sum(n.startswith("GPT-4") for n in names) == 1
    assert sum(n.startswith("Claude") and "Instant" not in n and "1.3" not in n for n in names) == 1
    assert sum(n.upper().startswith("LLAMA") for n in names) == 1
    assert ("gpt-4", "GPT-4") in early and ("claude", "Claude") in early


def test_epoch_facts_land_on_the_curated_record(store: duckdb.DuckDBPyConnection) -> None:
    row = _read(NOTABLE).set_index("Model").loc["GPT-4 (Mar 2023)"]
    compute = store.execute(
        "SELECT value, unit, caveat FROM source_values WHERE release_id = 'gpt-4' "
        "AND source = 'epoch' AND source_key = 'GPT-4 (Mar 2023)' "
        "AND attribute = 'training_compute'"
    ).fetchone()
    assert compute is not None
    assert float(compute[0]) == float(str(row["Training compute (FLOP)"]))
    assert compute[1] == "FLOP" and compute[2].startswith(f"Epoch confidence: {row['Confidence']}")
    assert _one(store, "SELECT name FROM releases WHERE id = 'gpt-4'") == "GPT-4"


def test_disagreements_are_kept_per_source(store: duckdb.DuckDBPyConnection) -> None:
    import tomllib

    epoch_date = _read(NOTABLE).set_index("Model").at["GPT-4 (Mar 2023)", "Publication date"]
    served = tomllib.loads(
        (MIRRORS / "models-dev" / "providers" / "openai" / "models" / "gpt-4.toml").read_text()
    )["release_date"]
    rows = store.execute(
        "SELECT source, value FROM source_disagreements WHERE release_id = 'gpt-4' "
        "AND attribute = 'release_date'"
    ).fetchall()
    assert rows == [("curated", "2023-03-14"), ("epoch", epoch_date), ("models.dev", served)]
    assert len({v for _, v in rows}) == 3  # three different days, none dropped or averaged


def test_first_public_date_names_its_event(store: duckdb.DuckDBPyConnection) -> None:
    first = store.execute(
        "SELECT date, event, source FROM release_first_dates WHERE release_id = 'gpt-4'"
    ).fetchone()
    assert first is not None and str(first[0]) == "2023-03-14" and first[1] == "announced"
    # An undated curated record gains Epoch's date as its first public date.
    palm = _read(NOTABLE).set_index("Model").at["PaLM (540B)", "Publication date"]
    assert store.execute(
        "SELECT CAST(date AS VARCHAR), source FROM release_first_dates WHERE release_id = 'palm'"
    ).fetchone() == (palm, "epoch")


def test_lineage_from_base_model(store: duckdb.DuckDBPyConnection) -> None:
    frame = pd.concat([_read(NOTABLE), _read(LARGE)]).drop_duplicates("Model")
    ids = dict(
        store.execute(
            "SELECT source_key, release_id FROM source_records WHERE source = 'epoch'"
        ).fetchall()
    )
    edges = set(store.execute("SELECT source_id, target_id FROM release_relations").fetchall())
    linked = {r[0] for r in store.execute("SELECT source_key FROM crosswalk").fetchall()}
    expected = set()
    for model, bases in zip(frame["Model"], frame["Base model"], strict=True):
        if model in linked:
            continue  # the curated record's lineage is the authority
        for base in (b.strip() for b in bases.split(",") if b.strip()):
            if base != model and ids[base] != ids[model]:
                expected.add((ids[model], ids[base]))
    assert expected and expected <= edges
    # Several bases, comma-joined in one cell, give several edges.
    multi = frame[frame["Base model"].str.contains(",")].iloc[0]
    assert len([e for e in edges if e[0] == ids[multi["Model"]]]) == len(
        multi["Base model"].split(",")
    )
    # A base that is no row of any table is an explicit, undated placeholder.
    rows = set(frame["Model"]) | set(_read(BENCHMARKED)["Model"])
    missing = {b.strip() for v in frame["Base model"] for b in v.split(",") if b.strip()} - rows
    placeholders = {
        r[0]
        for r in store.execute(
            "SELECT s.source_key FROM source_records s JOIN releases r ON r.id = s.release_id "
            "WHERE s.role = 'placeholder' AND r.kind = 'external' AND r.date IS NULL"
        ).fetchall()
    }
    assert missing - linked == placeholders


def test_gpt4_dated_versions(store: duckdb.DuckDBPyConnection) -> None:
    bench = _read(BENCHMARKED)
    wanted = bench[bench["Model"].isin(["GPT-4 (Mar 2023)", "GPT-4 (Jun 2023)"])]
    got = store.execute(
        "SELECT version_id, CAST(date AS VARCHAR) FROM release_versions "
        "WHERE release_id = 'gpt-4' ORDER BY version_id"
    ).fetchall()
    assert got == sorted(
        zip(wanted["id_model_version"], wanted["Version release date"], strict=True)
    )
    assert {"gpt-4-0314", "gpt-4-0613"} <= {v for v, _ in got}
    assert _one(store, "SELECT count(*) FROM release_versions") == len(bench)


def test_march_2023_wave_is_found_from_the_data(store: duckdb.DuckDBPyConnection) -> None:
    waves = timeline.waves(store, min_releases=6, factor=2.5, window=26)
    march = waves[waves["week_start"].astype(str) == "2023-03-13"]
    assert len(march) == 1
    ids = march.iloc[0]["ids"].split(", ")
    assert {"gpt-4", "claude", "alpaca"} <= set(ids)


def test_loading_twice_gives_the_same_store() -> None:
    def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
        tables = [
            "releases",
            "source_records",
            "source_values",
            "release_relations",
            "release_versions",
            "release_dates",
            "snapshots",
        ]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    first, _, seconds = build_store(REPO / "data")
    second, ctx, _ = build_store(REPO / "data")
    assert snapshot(first) == snapshot(second)
    assert ctx.counts["living_releases"] > 1500
    assert seconds < 20  # measured ~2 s on an idle machine; generous for a shared CI box


def test_schema_checks_list_the_vocabulary() -> None:
    import re

    from kb.vocabulary import ACCESS_LEVELS, DATE_EVENTS, LIVING_SOURCES

    ddl = (REPO / "kb" / "schema" / "15_living_sources.sql").read_text()

    def listed(column: str) -> list[set[str]]:
        found = re.findall(rf"CHECK \({column} IN \((.*?)\)\)", ddl, re.S)
        return [set(re.findall(r"'([^']+)'", text)) for text in found]

    assert listed("event") == [set(DATE_EVENTS)]
    assert listed("access") == [set(ACCESS_LEVELS)]
    outside = set(LIVING_SOURCES) - {"curated"}
    assert listed("source") and all(s == outside for s in listed("source"))


def test_crosswalk_problems_are_listed() -> None:
    from kb.releases import crosswalk

    data = {
        "gpt-4": {"epoch": "GPT-4 (Mar 2023)", "wikipedia": "GPT-4"},
        "gpt-5": {"epoch": ["GPT-5"]},
        "claude": {"epoch": "GPT-4 (Mar 2023)"},
        "llama": "LLaMA-65B",
    }
    with pytest.raises(ValidationError) as caught:
        crosswalk.parse(data, "data/crosswalk.yml", {"gpt-4", "claude", "llama"})
    lines = caught.value.message.splitlines()[1:]
    assert lines == [
        "  entry 'gpt-4': field 'wikipedia': is not a source (use epoch, epoch_versions, "
        "models.dev, models.dev_versions)",
        "  entry 'gpt-5': names no curated release in data/releases/",
        "  entry 'claude': field 'epoch': 'GPT-4 (Mar 2023)' is already linked to 'gpt-4'",
        "  entry 'llama': must map sources (epoch, epoch_versions, models.dev, "
        "models.dev_versions) to names",
    ]


def test_committed_crosswalk_names_exist_in_the_sources(store: duckdb.DuckDBPyConnection) -> None:
    from kb.releases import crosswalk

    walk = crosswalk.read(REPO / "data")
    held = set(store.execute("SELECT source, source_key FROM crosswalk").fetchall())
    assert {(link.source, link.name) for link in walk.links} == held


def test_release_card_values_attribute_every_source(store: duckdb.DuckDBPyConnection) -> None:
    rows = sql.execute(store, "timeline_card_values", {"release_id": "gpt-4"}).df()
    sources = list(rows["source"])
    assert sources == sorted(sources, key=["curated", "epoch", "models.dev"].index)
    by_source = rows.set_index(["source", "source_key", "attribute"])
    assert by_source.at[("models.dev", "openai/gpt-4", "release_date"), "value"] == "2023-11-06"
    jun = by_source.loc[("epoch", "GPT-4 (Jun 2023)", "release_date")]
    assert jun["role"] == "version" and str(jun["as_of"])[:10] == "2026-08-19"
    curated_facts = _one(store, "SELECT count(*) FROM facts WHERE release_id = 'gpt-4'")
    assert sources.count("curated") == curated_facts
