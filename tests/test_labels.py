"""Label-set ingestion: bad files and options refused with file/line/field and nothing written;
a good set lands in data/labels/ and the store together, survives `kb build`, and flows into
every analysis (agreement and shares checked against independent pandas computations)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import snapshot, steps_through, store_dump

from kb import build as kbbuild
from kb import exposure, labels, provenance, store
from kb.errors import ValidationError

HEADER = "onet_code,task_id,label\n"
GOOD_ROW = "11-1011.00,8823,E1\n"


def _raw_labels(raw_dir: Path) -> pd.DataFrame:
    """The authors' task labels straight from full_labelset.tsv (not through kb)."""
    frame = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t")
    return pd.DataFrame(
        {
            "onet_code": frame["O*NET-SOC Code"],
            "task_id": frame["Task ID"].astype(int),
            "gpt4": frame["gpt4_exposure"],
            "human": frame["human_exposure_agg"],
        }
    )


def _ingest(ws, path: Path, **options):
    values = {"rater": "new_rater", "date": "2023-06-01", "produced_by": "gpt-4"} | options
    return labels.ingest(path, db=ws.db, data_dir=ws.data_dir, **values)


# ------------------------------------------------------------------ parsing (no store needed)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "bad.csv: line 1: the file is empty"),
        (b"   \n\n", "bad.csv: line 1: the file is empty"),
        (
            HEADER.encode() + b"11-1011.00,8823,E\xff1\n",
            "line 2: is not UTF-8 (byte 0xff at offset 41)",
        ),
        (b"onet_code,task_id\n11-1011.00,8823\n", "line 1: field 'label': column is missing"),
        (b"onet_code,task_id,label,label\n", "line 1: field 'label': column appears 2 times"),
        (HEADER.encode(), "line 2: no label rows after the header"),
        (
            HEADER.encode() + b"11-1011.00,8823,E3\n",
            "line 2: field 'label': 'E3' is not a label (E0, E1 or E2)",
        ),
        (HEADER.encode() + b"11-1011.00,8823,e1\n", "line 2: field 'label': 'e1' is not a label"),
        (
            HEADER.encode() + b"11-1011,8823,E1\n",
            "line 2: field 'onet_code': '11-1011' is not an O*NET-SOC code (like 11-1011.00)",
        ),
        (
            HEADER.encode() + b"11-1011.00,88x3,E1\n",
            "line 2: field 'task_id': '88x3' is not a task id (a whole number, like 8823)",
        ),
        (
            HEADER.encode() + b"11-1011.00,8823,E1\n11-1011.00,8823,E2\n",
            "line 3: field 'task_id': task 8823 is already labelled on line 2",
        ),
        (HEADER.encode() + b"11-1011.00,8823\n", "line 2: has 2 fields, the header has 3"),
        (
            HEADER.encode() + b'11-1011.00,"8823,E1\n',
            "line 2: is not valid CSV (unexpected end of data)",
        ),
        (
            HEADER.encode() + b"11-1011.00,8823," + b"x" * 1_000_000 + b"\n",
            "line 2: is not valid CSV (field larger than field limit",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "non-utf8",
        "missing-column",
        "duplicate-column",
        "header-only",
        "bad-label",
        "lowercase-label",
        "bad-code",
        "bad-task-id",
        "duplicate-row",
        "short-row",
        "unclosed-quote",
        "megabyte-field",
    ],
)
def test_bad_file_is_refused_with_line_and_field(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    rows, problems = labels.read_label_file(path)
    assert rows == [] or problems
    assert any(expected in f"{p.file}: {p}" for p in problems), [str(p) for p in problems]


def test_good_file_parses_with_aliases_bom_and_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(
        "\ufeffO*NET-SOC Code,Task ID,label,comment\n"
        '11-1011.00,8823.0,E2,"a, quoted note"\n\n15-1252.00,21661,E0,\n'.encode()
    )
    rows, problems = labels.read_label_file(path)
    assert problems == []
    assert [(r.line, r.onet_code, r.task_id, r.label) for r in rows] == [
        (2, "11-1011.00", 8823, "E2"),
        (4, "15-1252.00", 21661, "E0"),
    ]


def test_many_problems_are_capped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(f"11-1011.00,{i},E9\n" for i in range(1, 121)))
    _, problems = labels.read_label_file(path)
    assert len(problems) == 120
    lines = str(ValidationError(problems)).splitlines()
    assert lines[0] == "many.csv: 120 problems, nothing was written"
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "  ... and 70 more problems"


# ------------------------------------------------------------------ refused ingests change nothing

BAD_STORE_FILES = {
    "unknown-task": (
        HEADER + "11-1011.00,99999999,E1\n",
        "line 2: field 'task_id': task 99999999 is not an O*NET task in the store",
    ),
    "task-under-other-code": (
        HEADER + GOOD_ROW + "15-1252.00,8831,E1\n",
        "line 3: field 'onet_code': task 8831 belongs to 11-1011.00, not 15-1252.00",
    ),
    "invalid-label": (
        HEADER + "11-1011.00,8823,E1\n11-1011.00,8831,X\n",
        "line 3: field 'label': 'X' is not a label (E0, E1 or E2)",
    ),
    "duplicate": (
        HEADER + GOOD_ROW + GOOD_ROW,
        "line 3: field 'task_id': task 8823 is already labelled on line 2",
    ),
}


@pytest.mark.parametrize("case", list(BAD_STORE_FILES))
def test_bad_rows_refused_and_nothing_written(workspace, tmp_path: Path, case: str) -> None:
    content, expected = BAD_STORE_FILES[case]
    path = tmp_path / "labels.csv"
    path.write_text(content)
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)
    with pytest.raises(ValidationError) as err:
        _ingest(workspace, path)
    assert "labels.csv: 1 problem, nothing was written" in str(err.value)
    assert expected in str(err.value)
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store


BAD_OPTIONS = {
    "rater-taken": ({"rater": "gpt4"}, "--rater: rater 'gpt4' is already taken"),
    "rater-name": ({"rater": "GPT-5!"}, "--rater: 'GPT-5!' is not a rater name"),
    "unknown-release": (
        {"produced_by": "gpt4"},
        "--produced-by: release 'gpt4' is not in the timeline (did you mean 'gpt-4'",
    ),
    "bad-date": ({"date": "2023-13-01"}, "--date: '2023-13-01' is not a date (YYYY-MM-DD)"),
    "not-iso-date": ({"date": "17/03/2023"}, "--date: '17/03/2023' is not a date (YYYY-MM-DD)"),
    "future-date": ({"date": "2999-01-01"}, "--date: 2999-01-01 is in the future"),
    "no-producer": ({"produced_by": None}, "--producer: name who produced the labels"),
    "bad-url": (
        {"url": "javascript:alert(1)"},
        "--url: 'javascript:alert(1)' is not an http(s) URL",
    ),
    "huge-rubric": ({"rubric": "x" * 1_000_000}, "--rubric: is 1,000,000 characters long"),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_bad_options_refused_and_nothing_written(workspace, tmp_path: Path, case: str) -> None:
    options, expected = BAD_OPTIONS[case]
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD_ROW)
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)
    with pytest.raises(ValidationError) as err:
        _ingest(workspace, path, **options)
    assert expected in str(err.value)
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store


def test_every_problem_reported_at_once(workspace, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + "11-1011.00,8823,E7\n11-1011.00,99999999,E1\n")
    with pytest.raises(ValidationError) as err:
        _ingest(workspace, path, rater="human", date="2023-02-30")
    text = str(err.value)
    assert text.startswith("labels.csv: 4 problems, nothing was written")
    for part in (
        "--rater: rater 'human' is already taken",
        "--date: '2023-02-30' is not a date",
        "line 2: field 'label'",
        "line 3: field 'task_id'",
    ):
        assert part in text


def test_store_failure_leaves_files_and_store_unchanged(workspace, tmp_path, monkeypatch) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD_ROW)
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)

    def broken(con, entry):
        raise RuntimeError("disk full")

    monkeypatch.setattr(provenance, "insert_source", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _ingest(workspace, path)
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store


def test_dry_run_writes_nothing(workspace, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD_ROW)
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)
    report = _ingest(workspace, path, dry_run=True)
    assert (report.rows, report.label_counts, report.dry_run) == (
        1,
        {"E0": 0, "E1": 1, "E2": 0},
        True,
    )
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store


# ------------------------------------------------------------------ an accepted set


def test_example_file_ingests_and_survives_rebuild(workspace) -> None:
    example = Path(__file__).resolve().parent.parent / "data" / "examples" / "labels-example.csv"
    report = _ingest(workspace, example, rater="example_llm", rubric="paper rubric")
    assert (report.rows, report.occupations) == (12, 3)
    saved = workspace.data_dir / "labels"
    assert sorted(p.name for p in saved.iterdir()) == ["example_llm.csv", "example_llm.yml"]
    assert store.status(workspace.db, workspace.data_dir) is None  # the store is current

    def contents() -> tuple:
        with store.connect(workspace.db) as con:
            return (
                con.execute(
                    "SELECT onet_code, task_id, label FROM task_labels "
                    "WHERE rater = 'example_llm' ORDER BY task_id"
                ).fetchall(),
                con.execute(
                    "SELECT source_id, kind, produced_by_release, date, method, origin, "
                    "tasks_labelled FROM exposure_sources WHERE rater = 'example_llm'"
                ).fetchall(),
            )

    ingested = contents()
    expected = pd.read_csv(example).sort_values("task_id")
    assert ingested[0] == list(expected.itertuples(index=False, name=None))
    assert ingested[1][0][:3] == ("labels-example_llm", "model_labels", "gpt-4")
    assert str(ingested[1][0][3]) == "2023-06-01"
    assert ingested[1][0][4:] == ("paper rubric", "ingested", 12)
    # The steps that load label sets (and what they need) are the ones the answer depends on.
    steps = steps_through("ingested label sets")
    kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir, steps=steps)
    assert contents() == ingested


def test_flipped_gpt4_set_agreement_and_shares(workspace, tmp_path: Path) -> None:
    """A copy of GPT-4's labels with a known set of tasks flipped E0 -> E1: the agreement with
    gpt4 and the workforce shares must follow, computed here with pandas from the raw file."""
    raw = _raw_labels(workspace.raw_dir).sort_values("task_id", ignore_index=True)
    flipped = raw.index[raw["gpt4"] == "E0"][::10]  # every 10th E0 task, by task id
    new = raw.assign(label=raw["gpt4"])
    new.loc[flipped, "label"] = "E1"
    path = tmp_path / "flipped.csv"
    new[["onet_code", "task_id", "label"]].to_csv(path, index=False)
    _ingest(workspace, path, rater="gpt4_flipped")

    with store.connect(workspace.db) as con:
        assert "gpt4_flipped" in exposure.raters(con)
        task = exposure.agreement(con, "beta", "task", ("gpt4", "gpt4_flipped"))
        shares = exposure.shares(con, [0.1, 0.5], exposure.Recipe(rater="gpt4_flipped"))
        # Per-occupation employment of the paper recipe (tested in test_exposure.py); does not
        # depend on the rater.
        employment = con.execute(
            "SELECT unit_code AS onet_code, employment FROM exposure_units "
            "WHERE employment_recipe = 'paper' AND rater = 'gpt4' AND measure = 'beta' "
            "AND weighting = 'equal' AND employment IS NOT NULL"
        ).df()
        matrix = exposure.agreement_matrix(con, "beta", "task", "agreement")

    n = len(raw)
    assert task.n == n
    assert task.agreement == pytest.approx((n - len(flipped)) / n, abs=1e-12)
    # Cohen's kappa from first principles on the beta task values.
    value = {"E0": 0.0, "E1": 1.0, "E2": 0.5}
    a, b = raw["gpt4"].map(value), new["label"].map(value)
    p_o = (a == b).mean()
    p_e = sum((a == c).mean() * (b == c).mean() for c in (0.0, 0.5, 1.0))
    assert task.kappa == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-12)
    assert task.pearson_r == pytest.approx(a.corr(b), abs=1e-12)

    exposure_by_occ = new.assign(v=new["label"].map(value)).groupby("onet_code")["v"].mean()
    units = employment.assign(exposure=employment["onet_code"].map(exposure_by_occ))
    for result, t in zip(shares, (0.1, 0.5), strict=True):
        expected = units.loc[units.exposure > t, "employment"].sum() / units["employment"].sum()
        assert result.share_workers == pytest.approx(expected, abs=1e-12)
    assert matrix.at["gpt4", "gpt4_flipped"] == pytest.approx((n - len(flipped)) / n, abs=1e-12)
    assert matrix.at["gpt4_flipped", "gpt4_flipped"] == 1.0
    assert list(matrix.index) == sorted(["gpt4", "gpt4_alt", "gpt4_flipped", "human"])


def test_ingesting_twice_is_refused(workspace, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + GOOD_ROW)
    _ingest(workspace, path, rater="twice", produced_by=None, producer="two annotators")
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)
    with pytest.raises(ValidationError, match="rater 'twice' is already taken"):
        _ingest(workspace, path, rater="twice")
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store
    with store.connect(workspace.db) as con:
        row = con.execute(
            "SELECT kind, produced_by_release, producer FROM exposure_sources WHERE rater = 'twice'"
        ).fetchall()
    assert row == [("human_annotation", None, "two annotators")]


def test_hand_broken_label_file_fails_the_build_and_keeps_the_old_store(workspace) -> None:
    folder = workspace.data_dir / "labels"
    folder.mkdir(exist_ok=True)
    (folder / "broken.yml").write_text(
        "rater: broken\nkind: model_labels\nlevel: task\nproduced_by_release: gpt-4\n"
        "producer: x\nmethod: y\ndate: 2023-06-01\ncitation: z\nlabels_file: broken.csv\n"
    )
    (folder / "broken.csv").write_text(HEADER + "11-1011.00,8823,E5\n")
    before = store_dump(workspace.db)
    steps = steps_through("ingested label sets")  # the step that refuses, and what it needs
    with pytest.raises(ValidationError, match=r"broken.csv: 1 problem.*\n  line 2: field 'label'"):
        kbbuild.build(
            workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir, steps=steps
        )
    assert store_dump(workspace.db) == before
