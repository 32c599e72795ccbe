"""Bad input on every ingestion path is refused with a message naming the file, the record (or
line) and the field, and leaves data/ and the store exactly as they were. Strings that look like
SQL or HTML inside otherwise valid records are stored verbatim, never executed.

The corpus is generated here, table-driven: one row per kind of bad input, for
`kb ingest releases` (YAML, JSON, CSV) and `kb ingest labels` (CSV plus its options).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import Workspace, snapshot, steps_through, store_dump

from kb import build as kbbuild
from kb import labels, store
from kb.cli import cli
from kb.errors import ValidationError

MEGABYTE = "x" * (1024 * 1024)
URL = "https://example.org/robustness"


def release(rid: str = "robust-model", **fields: object) -> dict[str, object]:
    """A valid release record; keyword arguments replace or add fields (None removes one)."""
    record: dict[str, object] = {
        "id": rid,
        "name": "Robust Model",
        "organisations": ["Robustness Lab"],
        "date": "2023-03-20",
        "kind": "model",
        "modalities": ["text"],
        "summary": "A release made up for the robustness tests.",
        "sources": [URL],
        "relations": [{"type": "fine_tuned_from", "target": "llama", "source": URL}],
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def yaml_text(*records: dict[str, object]) -> bytes:
    import yaml

    return yaml.safe_dump(list(records), sort_keys=False, allow_unicode=True).encode()


def json_text(*records: dict[str, object]) -> bytes:
    return json.dumps(list(records)).encode()


CSV_HEADER = "id,name,organisations,date,kind,modalities,sources,relations\n"


def csv_text(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(r + "\n" for r in rows)).encode()


# A record with everything but its date, for explicit YAML tags to complete (line 6 onwards).
TAGGED_RECORD = (
    b"id: robust-model\nname: Robust Model\nkind: model\norganisations: [Robustness Lab]\n"
    b"sources: [https://example.org/robustness]\n"
)

GOOD_CSV_ROW = (
    f"robust-model,Robust Model,Robustness Lab,2023-03-20,model,text,{URL},fine_tuned_from:llama"
)

# (case id, file name, content, fragments the message must contain: file, where, field).
RELEASE_CASES = [
    (
        "yaml malformed",
        "bad.yaml",
        b"- id: robust-model\n  name: [unclosed\n  kind: model\n",
        ["bad.yaml", "line 3", "not valid YAML"],
    ),
    (
        "yaml tab indentation",
        "tabs.yaml",
        b"- id: robust-model\n\tname: x\n",
        ["tabs.yaml", "line 2"],
    ),
    (
        "yaml alias bomb",
        "bomb.yaml",
        (
            b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        ),
        ["bomb.yaml", "alias"],
    ),
    ("yaml scalar not a record", "scalar.yaml", b"just a sentence\n", ["scalar.yaml", "file"]),
    (
        "json malformed",
        "bad.json",
        b'[{"id": "robust-model",, "name": "x"}]',
        ["bad.json", "line 1", "JSON"],
    ),
    ("json truncated", "cut.json", json_text(release())[:-20], ["cut.json", "JSON"]),
    (
        "csv unclosed quote",
        "quote.csv",
        csv_text('robust-model,"Robust Model,x,2023-03-20,model,text,' + URL + ","),
        ["quote.csv", "line"],
    ),
    (
        "csv extra cells",
        "cells.csv",
        csv_text(GOOD_CSV_ROW + ",surplus"),
        ["cells.csv", "record 1", "line 2"],
    ),
    (
        "csv unknown column",
        "column.csv",
        b"id,name,kind,colour\nrobust-model,R,model,red\n",
        ["column.csv", "line 1", "colour"],
    ),
    (
        "csv missing column",
        "nokind.csv",
        b"id,name\nrobust-model,Robust Model\n",
        ["nokind.csv", "line 1", "kind"],
    ),
    ("csv header only", "header.csv", CSV_HEADER.encode(), ["header.csv"]),
    (
        "wrong type: name is a mapping",
        "type.yaml",
        yaml_text(release(name={"nested": 1})),
        ["type.yaml", "record 1", "name"],
    ),
    (
        "wrong type: relations is text",
        "rel-type.yaml",
        yaml_text(release(relations="llama")),
        ["rel-type.yaml", "record 1", "relations"],
    ),
    (
        "wrong type: id is a number",
        "num.json",
        json_text(release(rid=12345)),
        ["num.json", "record 1", "id"],
    ),
    ("missing id", "noid.yaml", yaml_text(release(rid=None)), ["noid.yaml", "record 1", "id"]),
    (
        "missing kind",
        "nokind.yaml",
        yaml_text(release(kind=None)),
        ["nokind.yaml", "record 1", "kind"],
    ),
    (
        "missing name",
        "noname.json",
        json_text(release(name=None)),
        ["noname.json", "record 1", "name"],
    ),
    (
        "impossible date",
        "date.yaml",
        yaml_text(release(date="2023-02-30")),
        ["date.yaml", "record 1", "date"],
    ),
    (
        "month 13",
        "month.json",
        json_text(release(date="2023-13-01")),
        ["month.json", "record 1", "date"],
    ),
    (
        "date that is not one",
        "word.csv",
        csv_text(GOOD_CSV_ROW.replace("2023-03-20", "yesterday")),
        ["word.csv", "record 1", "date"],
    ),
    (
        "unknown kind",
        "kind.yaml",
        yaml_text(release(kind="spaceship")),
        ["kind.yaml", "record 1", "kind"],
    ),
    (
        "unknown relation type",
        "reltype.yaml",
        yaml_text(release(relations=[{"type": "inspired_by", "target": "llama", "source": URL}])),
        ["reltype.yaml", "record 1", "relations", "inspired_by"],
    ),
    (
        "unknown relation type in csv",
        "reltype.csv",
        csv_text(GOOD_CSV_ROW.replace("fine_tuned_from:", "inspired_by:")),
        ["reltype.csv", "record 1", "inspired_by"],
    ),
    (
        "relation to nowhere",
        "nowhere.yaml",
        yaml_text(
            release(
                relations=[{"type": "fine_tuned_from", "target": "no-such-release", "source": URL}]
            )
        ),
        ["nowhere.yaml", "record 1", "relations", "no-such-release"],
    ),
    (
        "lineage cycle",
        "cycle.yaml",
        yaml_text(
            release(
                "cycle-a",
                relations=[{"type": "fine_tuned_from", "target": "cycle-b", "source": URL}],
            ),
            release(
                "cycle-b",
                relations=[{"type": "fine_tuned_from", "target": "cycle-a", "source": URL}],
            ),
        ),
        ["cycle.yaml", "cycle-a", "relations", "cycle"],
    ),
    (
        "self loop",
        "self.json",
        json_text(
            release(
                "self-made",
                relations=[{"type": "successor_of", "target": "self-made", "source": URL}],
            )
        ),
        ["self.json", "record 1", "relations"],
    ),
    (
        "duplicate id, conflicting content",
        "dupe.yaml",
        yaml_text(release("twin", name="Twin A"), release("twin", name="Twin B")),
        ["dupe.yaml", "twin", "id"],
    ),
    (
        "field of a megabyte",
        "huge.yaml",
        yaml_text(release(summary=MEGABYTE)),
        ["huge.yaml", "record 1", "summary"],
    ),
    (
        "non-UTF-8 bytes",
        "latin1.yaml",
        "- id: robust-model\n  name: Caf\u00e9\n".encode("latin-1"),
        ["latin1.yaml", "line 2", "UTF-8"],
    ),
    (
        "non-UTF-8 csv",
        "latin1.csv",
        csv_text(GOOD_CSV_ROW).replace(b"Robust Model", b"R\xe9sum\xe9"),
        ["latin1.csv", "line 2", "UTF-8"],
    ),
    ("empty file", "empty.yaml", b"", ["empty.yaml", "empty"]),
    ("whitespace only", "blank.json", b"  \n\n ", ["blank.json", "empty"]),
    ("empty list", "none.json", b"[]", ["none.json", "no records"]),
    (
        "sql in the id",
        "sqlid.yaml",
        yaml_text(release(rid="x'); DROP TABLE releases; --")),
        ["sqlid.yaml", "record 1", "id"],
    ),
    (
        "script url as a source",
        "js.yaml",
        yaml_text(release(sources=["javascript:alert(1)"])),
        ["js.yaml", "record 1", "sources"],
    ),
    (
        "control characters",
        "ctrl.json",
        json_text(release(name="Robust\u0000Model")),
        ["ctrl.json", "record 1", "name"],
    ),
    (
        "unknown field",
        "field.yaml",
        yaml_text(release(colour="red")),
        ["field.yaml", "record 1", "colour"],
    ),
    ("unknown file format", "release.txt", b"id: robust-model\n", ["release.txt", "format"]),
    (
        "explicit timestamp tag, impossible day",
        "tag-date.yaml",
        TAGGED_RECORD + b"date: !!timestamp 2023-02-30\n",
        ["tag-date.yaml", "record 1 (id 'robust-model')", "field 'date'", "line 6", "out of range"],
    ),
    (
        "explicit timestamp tag, not a date",
        "tag-word.yaml",
        TAGGED_RECORD + b"date: !!timestamp soon\n",
        ["tag-word.yaml", "record 1 (id 'robust-model')", "field 'date'", "line 6"],
    ),
    (
        "explicit int tag on text",
        "tag-int.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\nseed_position: !!int abc\n",
        ["tag-int.yaml", "record 1 (id 'robust-model')", "field 'seed_position'", "line 7"],
    ),
    (
        "explicit float tag on text",
        "tag-float.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\nparameters: !!float xyz\n",
        ["tag-float.yaml", "record 1 (id 'robust-model')", "field 'parameters'", "line 7"],
    ),
    (
        "explicit bool tag on text",
        "tag-bool.yaml",
        TAGGED_RECORD + b"date: !!bool perhaps\n",
        ["tag-bool.yaml", "record 1 (id 'robust-model')", "field 'date'", "true or false"],
    ),
    (
        "python object tag",
        "tag-python.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\nsummary: !!python/object/apply:os.system [ls]\n",
        ["tag-python.yaml", "record 1 (id 'robust-model')", "field 'summary'", "tag"],
    ),
    (
        "binary tag",
        "tag-binary.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\naccess: !!binary aGk=\n",
        ["tag-binary.yaml", "record 1 (id 'robust-model')", "field 'access'", "binary"],
    ),
    (
        "set tag",
        "tag-set.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\nmodalities: !!set {text}\n",
        ["tag-set.yaml", "record 1 (id 'robust-model')", "field 'modalities'", "a set"],
    ),
    (
        "tag of a mapping on a list",
        "tag-map.yaml",
        TAGGED_RECORD + b"date: !!map [1]\n",
        ["tag-map.yaml", "line 6", "!!map"],
    ),
    (
        "duplicate key in yaml",
        "twice.yaml",
        TAGGED_RECORD + b"date: 2023-03-20\nid: llama\n",
        ["twice.yaml", "line 7", "'id' appears twice"],
    ),
    (
        "duplicate key in json",
        "twice.json",
        json.dumps(release(), indent=1).replace('"name"', '"id": "llama",\n "name"').encode(),
        ["twice.json", "line 3", "field 'id'", "appears twice"],
    ),
    (
        "one bad record spoils the batch",
        "mixed.yaml",
        yaml_text(release("good-one"), release("bad-one", date="2023-02-31")),
        ["mixed.yaml", "record 2", "date"],
    ),
]


def _ingest_releases(ws: Workspace, path: Path) -> Result:
    return CliRunner().invoke(
        cli, ["ingest", "releases", str(path), "--db", str(ws.db), "--data-dir", str(ws.data_dir)]
    )


def _state(ws: Workspace) -> tuple[dict, dict]:
    return snapshot(ws.data_dir, ws.db), store_dump(ws.db)


@pytest.mark.parametrize(
    ("name", "file", "content", "expected"), RELEASE_CASES, ids=[c[0] for c in RELEASE_CASES]
)
def test_bad_releases_are_refused(
    workspace: Workspace, tmp_path: Path, name: str, file: str, content: bytes, expected: list[str]
) -> None:
    path = tmp_path / "input" / file
    path.parent.mkdir()
    path.write_bytes(content)
    before = _state(workspace)
    result = _ingest_releases(workspace, path)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    message = result.output
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from:\n{message[:2000]}"
    assert len(message) < 20_000, "the message should not echo a megabyte back"
    assert _state(workspace) == before


def test_a_missing_file_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    before = _state(workspace)
    result = _ingest_releases(workspace, tmp_path / "nothing-here.yaml")
    assert result.exit_code != 0
    assert "nothing-here.yaml" in result.output
    assert _state(workspace) == before


LOOKS_LIKE_SQL = "Robert'); DROP TABLE releases; --"
LOOKS_LIKE_HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL_SUMMARY = "'; DELETE FROM release_relations WHERE '1'='1"


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_sql_and_html_looking_strings_are_stored_verbatim(
    workspace: Workspace, tmp_path: Path, fmt: str
) -> None:
    record = release(
        "verbatim-" + fmt,
        name=LOOKS_LIKE_SQL,
        summary=LOOKS_LIKE_HTML + " " + SQL_SUMMARY,
        organisations=["<b>Bold</b> & Co; DROP TABLE organisations"],
    )
    path = tmp_path / f"verbatim.{fmt}"
    if fmt == "csv":
        path.write_text(
            "id,name,organisations,date,kind,sources,relations,summary\n"
            f'{record["id"]},"{LOOKS_LIKE_SQL}","{record["organisations"][0]}",'
            f"2023-03-20,model,{URL},fine_tuned_from:llama,"
            f'"{(LOOKS_LIKE_HTML + " " + SQL_SUMMARY).replace(chr(34), chr(34) * 2)}"\n'
        )
    else:
        path.write_bytes(yaml_text(record) if fmt == "yaml" else json_text(record))
    with store.connect(workspace.db) as con:
        counts_before = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("releases", "release_relations")
        }
    result = _ingest_releases(workspace, path)
    assert result.exit_code == 0, result.output
    with store.connect(workspace.db) as con:
        name, summary = con.execute(
            "SELECT name, summary FROM releases WHERE id = ?", [record["id"]]
        ).fetchone()
        counts_after = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("releases", "release_relations")
        }
        organisations = str(con.execute("SELECT * FROM organisations").fetchall())
    assert name == LOOKS_LIKE_SQL
    assert summary == LOOKS_LIKE_HTML + " " + SQL_SUMMARY
    assert "<b>Bold</b> &amp; Co" not in organisations and "<b>Bold</b> & Co" in organisations
    # Nothing was executed: every table still there, exactly one release and one relation more.
    assert counts_after == {
        "releases": counts_before["releases"] + 1,
        "release_relations": counts_before["release_relations"] + 1,
    }
    saved = (workspace.data_dir / "releases" / f"{record['id']}.yaml").read_text(encoding="utf-8")
    assert LOOKS_LIKE_SQL in saved or "DROP TABLE releases" in saved
    assert "<script>" in saved
    # and the text survives a rebuild from data/ unchanged (the steps that load releases)
    steps = steps_through("release timeline", "living sources")
    kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir, steps=steps)
    with store.connect(workspace.db) as con:
        assert con.execute(
            "SELECT name, summary FROM releases WHERE id = ?", [record["id"]]
        ).fetchone() == (name, summary)


# --- kb ingest labels ---------------------------------------------------------------------------

GOOD_LABELS = "onet_code,task_id,label\n11-1011.00,8823,E1\n11-1011.00,8831,E0\n"
LABEL_OPTIONS = ["--rater", "robust_rater", "--produced-by", "gpt-4", "--date", "2023-06-01"]

# (case id, file name, content, options replacing the defaults or None, expected fragments)
LABEL_CASES = [
    (
        "malformed csv",
        "quote.csv",
        b'onet_code,task_id,label\n"11-1011.00,8823,E1\n',
        None,
        ["quote.csv", "line"],
    ),
    ("empty file", "empty.csv", b"", None, ["empty.csv", "empty"]),
    ("header only", "header.csv", b"onet_code,task_id,label\n", None, ["header.csv", "line 2"]),
    (
        "non-UTF-8 bytes",
        "latin1.csv",
        b"onet_code,task_id,label\n11-1011.00,8823,E\xe9\n",
        None,
        ["latin1.csv", "line 2", "UTF-8"],
    ),
    (
        "missing column",
        "nolabel.csv",
        b"onet_code,task_id\n11-1011.00,8823\n",
        None,
        ["nolabel.csv", "line 1", "label"],
    ),
    (
        "invalid label",
        "e3.csv",
        b"onet_code,task_id,label\n11-1011.00,8823,E3\n",
        None,
        ["e3.csv", "line 2", "label"],
    ),
    (
        "wrong type task id",
        "tid.csv",
        b"onet_code,task_id,label\n11-1011.00,abc,E1\n",
        None,
        ["tid.csv", "line 2", "task_id"],
    ),
    (
        "unknown task id",
        "unknown.csv",
        b"onet_code,task_id,label\n11-1011.00,999999,E1\n",
        None,
        ["unknown.csv", "line 2", "task_id"],
    ),
    (
        "task under another occupation",
        "moved.csv",
        b"onet_code,task_id,label\n15-1252.00,8823,E1\n",
        None,
        ["moved.csv", "line 2"],
    ),
    (
        "malformed onet code",
        "code.csv",
        b"onet_code,task_id,label\n11-1011,8823,E1\n",
        None,
        ["code.csv", "line 2", "onet_code"],
    ),
    (
        "duplicate rows",
        "dupe.csv",
        (GOOD_LABELS + "11-1011.00,8823,E2\n").encode(),
        None,
        ["dupe.csv", "line 4", "task_id"],
    ),
    (
        "sql in a label",
        "sql.csv",
        b"onet_code,task_id,label\n11-1011.00,8823,E1'; DROP TABLE task_labels; --\n",
        None,
        ["sql.csv", "line 2", "label"],
    ),
    (
        "a field of a megabyte",
        "huge.csv",
        f"onet_code,task_id,label\n11-1011.00,8823,{MEGABYTE}\n".encode(),
        None,
        ["huge.csv", "line 2", "label"],
    ),
    (
        "rater name taken",
        "taken.csv",
        GOOD_LABELS.encode(),
        ["--rater", "human", "--produced-by", "gpt-4", "--date", "2023-06-01"],
        ["taken.csv", "rater", "human"],
    ),
    (
        "rater name that is sql",
        "sqlrater.csv",
        GOOD_LABELS.encode(),
        ["--rater", "x; DROP TABLE raters", "--produced-by", "gpt-4", "--date", "2023-06-01"],
        ["sqlrater.csv", "rater"],
    ),
    (
        "release that does not exist",
        "norelease.csv",
        GOOD_LABELS.encode(),
        ["--rater", "robust_rater", "--produced-by", "gpt-99", "--date", "2023-06-01"],
        ["norelease.csv", "gpt-99"],
    ),
    (
        "impossible date",
        "date.csv",
        GOOD_LABELS.encode(),
        ["--rater", "robust_rater", "--produced-by", "gpt-4", "--date", "2023-02-30"],
        ["date.csv", "date"],
    ),
]


@pytest.mark.parametrize(
    ("name", "file", "content", "options", "expected"), LABEL_CASES, ids=[c[0] for c in LABEL_CASES]
)
def test_bad_label_sets_are_refused(
    workspace: Workspace,
    tmp_path: Path,
    name: str,
    file: str,
    content: bytes,
    options: list[str] | None,
    expected: list[str],
) -> None:
    path = tmp_path / "input" / file
    path.parent.mkdir()
    path.write_bytes(content)
    before = _state(workspace)
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "labels",
            str(path),
            *(options or LABEL_OPTIONS),
            "--db",
            str(workspace.db),
            "--data-dir",
            str(workspace.data_dir),
        ],
    )
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    for fragment in expected:
        assert fragment in result.output, f"{fragment!r} missing from:\n{result.output[:2000]}"
    assert len(result.output) < 20_000
    assert _state(workspace) == before


# --- inputs that are not regular files, or too large: refused before reading ----------------------


def _special_file(kind: str, folder: Path, name: str) -> Path:
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)  # reading would wait forever for a writer
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")  # reading would never end
    elif kind == "dev-null":
        path.symlink_to("/dev/null")
    else:
        path.mkdir()
    return path


SPECIAL = {
    "fifo": "is a FIFO (named pipe), not a regular file",
    "dev-zero": "is a character device, not a regular file",
    "dev-null": "is a character device, not a regular file",
    "directory": "is a directory",
}


@pytest.mark.parametrize("kind", list(SPECIAL))
def test_release_input_must_be_a_regular_file(
    workspace: Workspace, tmp_path: Path, kind: str
) -> None:
    path = _special_file(kind, tmp_path, "input.yaml")
    before = _state(workspace)
    result = _ingest_releases(workspace, path)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "input.yaml" in result.output
    assert SPECIAL[kind] in result.output or kind == "directory"  # click refuses a directory
    assert _state(workspace) == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-null"])
def test_label_input_must_be_a_regular_file(
    workspace: Workspace, tmp_path: Path, kind: str
) -> None:
    path = _special_file(kind, tmp_path, "labels.csv")
    before = _state(workspace)
    result = _ingest_labels(workspace, path)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"labels.csv: 1 problem, nothing was written\n  file: {SPECIAL[kind]}" in result.output
    assert _state(workspace) == before


def _ingest_labels(ws: Workspace, path: Path) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "ingest",
            "labels",
            str(path),
            *LABEL_OPTIONS,
            "--db",
            str(ws.db),
            "--data-dir",
            str(ws.data_dir),
        ],
    )


def test_label_files_over_the_size_cap_are_refused(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(labels, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "big.csv"
    path.write_text(GOOD_LABELS + "11-1011.00,8831,E0\n" * 60)
    result = _ingest_labels(workspace, path)
    assert result.exit_code != 0
    size = path.stat().st_size
    assert f"file: is {size:,} bytes, over the limit of 1,024 bytes" in result.output


def test_many_bad_records_stop_early_with_a_count(workspace: Workspace, tmp_path: Path) -> None:
    # 60,000 invalid records (3 MB): refused in seconds, listing 50 and saying what was skipped.
    path = tmp_path / "many.json"
    path.write_text(
        json.dumps([{"id": f"Bad_{i}", "date": "2023-13-01", "kind": "x"} for i in range(60_000)])
    )
    before = _state(workspace)
    result = _ingest_releases(workspace, path)
    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert lines[0].endswith("or more problems, nothing was written")
    assert re.match(
        r"  \.\.\. and [\d,]+ more problems; checking stopped early: records [\d,]+ to 60,000 "
        r"of .*many\.json were not checked$",
        lines[51],
    ), lines[51]
    assert _state(workspace) == before


def test_many_bad_label_rows_stop_early(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("onet_code,task_id,label\n" + "11-1011.00,8823,E9\n" * 100_000)
    result = _ingest_labels(workspace, path)
    assert result.exit_code != 0
    assert "checking stopped early: the lines from line 1,002 of many.csv were not checked" in (
        result.output
    )


# --- kb build reads data/ with the same rules ---------------------------------------------------


def test_build_reports_failed_tags_in_data_releases(workspace: Workspace) -> None:
    bad = workspace.data_dir / "releases" / "robust-model.yaml"
    bad.write_bytes(
        TAGGED_RECORD
        + b"date: !!timestamp 2023-02-30\nseed_position: !!int abc\nparameters: !!float xyz\n"
    )
    before = store_dump(workspace.db)
    with pytest.raises(ValidationError) as refused:
        kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    message = str(refused.value)
    for fragment in (
        "releases/robust-model.yaml: 3 problems, nothing was written",
        "record 1 (id 'robust-model'): field 'date': !!timestamp '2023-02-30' (line 6)",
        "record 1 (id 'robust-model'): field 'seed_position': !!int 'abc' (line 7)",
        "record 1 (id 'robust-model'): field 'parameters': !!float 'xyz' (line 8)",
    ):
        assert fragment in message, message
    assert store_dump(workspace.db) == before


def test_build_reports_failed_tags_and_bad_paths_in_data_labels(workspace: Workspace) -> None:
    folder = workspace.data_dir / "labels"
    folder.mkdir(exist_ok=True)
    meta = folder / "tagged.yml"
    # The step that reads data/labels/ and the steps it needs: the others cannot refuse these.
    steps = steps_through("ingested label sets")

    def build() -> None:
        kbbuild.build(
            workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir, steps=steps
        )

    meta.write_text("rater: tagged\ndate: !!timestamp 2023-02-30\nlabels_file: tagged.csv\n")
    with pytest.raises(ValidationError, match=r"record: field 'date': !!timestamp '2023-02-30'"):
        build()
    meta.write_text("rater: tagged\ndate: 2023-01-01\nlabels_file: ../releases/llama.yaml\n")
    with pytest.raises(ValidationError, match=r"field 'labels_file'.*must be the name of a \.csv"):
        build()
    meta.write_text("rater: tagged\nrater: other\n")
    with pytest.raises(ValidationError, match="line 2: is not valid YAML: the key 'rater'"):
        build()
