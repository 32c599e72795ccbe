"""`kb ingest releases` and `kb timeline` through click's CliRunner, on a private workspace."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, snapshot, store_dump

from kb import store
from kb.cli import cli

EXAMPLES = REPO / "data" / "examples"


@pytest.fixture
def run(workspace, monkeypatch):
    monkeypatch.setenv("KB_DB", str(workspace.db))
    monkeypatch.setenv("KB_DATA_DIR", str(workspace.data_dir))

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def unchanged(workspace):
    """Call before; the returned function asserts data/ and the store are as they were."""
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)

    def check():
        assert snapshot(workspace.data_dir) == files
        assert store_dump(workspace.db) == rows

    return check


KOALA = (
    "id: koala\nname: Koala\norganisations: [UC Berkeley]\ndate: '2023-04-03'\nkind: model\n"
    "sources: [https://bair.berkeley.edu/blog/2023/04/03/koala/]\n"
)


# --- the example files ----------------------------------------------------------------------


def test_examples_dry_run_then_ingest_then_again(run, workspace):
    files = [str(p) for p in sorted(EXAMPLES.glob("new-releases.*"))]
    assert len(files) == 3
    check = unchanged(workspace)
    dry = run("ingest", "releases", *files, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 release records: 3 added, 0 updated, 0 unchanged (dry run" in dry.output
    check()

    first = run("ingest", "releases", *files, "--format", "json")
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    assert (payload["added"], payload["updated"], payload["unchanged"]) == (3, 0, 0)
    for rid in ("koala", "gpt4all", "cerebras-gpt"):
        assert (workspace.data_dir / "releases" / f"{rid}.yaml").exists()
    assert store.status(workspace.db, workspace.data_dir) is None

    after = unchanged(workspace)
    second = run("ingest", "releases", *files)
    assert second.exit_code == 0 and "0 added, 0 updated, 3 unchanged" in second.output
    after()

    lineage = json.loads(run("timeline", "lineage", "llama", "--format", "json").output)
    assert {"koala", "gpt4all"} <= {d["id"] for d in lineage["descendants"]}
    rows = json.loads(run("timeline", "--format", "json").output)
    gpt4all = next(r for r in rows if r["id"] == "gpt4all")
    assert gpt4all["date_precision"] == "month" and gpt4all["date"] == "2023-03-01"


def test_examples_are_not_loaded_by_build(built):
    with store.connect(built.db) as con:
        ids = {r[0] for r in con.execute("SELECT id FROM releases").fetchall()}
    assert not ids & {"koala", "gpt4all", "cerebras-gpt"}


def test_update_is_reported_as_updated(run, workspace, tmp_path):
    claude = yaml.safe_load((workspace.data_dir / "releases" / "claude.yaml").read_text())
    claude["parameters"] = "not disclosed by Anthropic"
    path = tmp_path / "claude.json"
    path.write_text(json.dumps(claude))
    result = run("ingest", "releases", str(path))
    assert result.exit_code == 0 and "0 added, 1 updated, 0 unchanged" in result.output
    card = json.loads(run("timeline", "card", "claude", "--format", "json").output)
    assert card["parameters"] == "not disclosed by Anthropic"


# --- refused input: exit 1, every problem named, nothing written ----------------------------------

MEGABYTE = "x" * 1_048_576
BAD_INPUTS = [
    ("malformed-yaml", "yaml", "- id: koala\n  name: [unclosed\n", "line 3: is not valid YAML"),
    (
        "malformed-json",
        "json",
        '[{"id": "koala",}]',
        "line 1: is not valid JSON: Expecting property name",
    ),
    (
        "csv-extra-cells",
        "csv",
        "id,name,kind\nkoala,Koala,model,extra\n",
        "record 1 (line 2): has 4 cells; the header has 3",
    ),
    (
        "csv-unknown-column",
        "csv",
        "id,name,kind,colour\nkoala,Koala,model,blue\n",
        "line 1: field 'colour': unknown column",
    ),
    ("csv-header-only", "csv", "id,name,kind\n", "file: holds no records (only a header)"),
    ("not-utf8", "yaml", b"id: caf\xe9\nname: x\n", "line 1: is not UTF-8 (byte 0xe9 at offset 7)"),
    ("empty", "yaml", "", "file: is empty"),
    ("blank", "json", "  \n", "file: is empty"),
    (
        "scalar",
        "yaml",
        "just text\n",
        "file: must hold a release record or a list of them, not text",
    ),
    (
        "wrong-type",
        "yaml",
        KOALA.replace("name: Koala", "name: 13"),
        "record 1 (id 'koala'): field 'name': must be text, got a number (quote it)",
    ),
    (
        "missing-field",
        "yaml",
        KOALA.replace("kind: model\n", ""),
        "record 1 (id 'koala'): field 'kind': is required",
    ),
    (
        "impossible-date",
        "yaml",
        KOALA.replace("'2023-04-03'", "'2023-02-30'"),
        "record 1 (id 'koala'): field 'date': '2023-02-30' is not a date "
        "(YYYY-MM-DD, YYYY-MM or YYYY)",
    ),
    (
        "impossible-unquoted-date",
        "yaml",
        KOALA.replace("'2023-04-03'", "2023-02-30"),
        "record 1 (id 'koala'): field 'date': '2023-02-30' is not a date "
        "(YYYY-MM-DD, YYYY-MM or YYYY)",
    ),
    (
        "unknown-kind",
        "yaml",
        KOALA.replace("kind: model", "kind: rumour"),
        "record 1 (id 'koala'): field 'kind': 'rumour' is not a known kind",
    ),
    (
        "unknown-relation-type",
        "yaml",
        KOALA + "relations: ['inspired_by:llama']\n",
        "record 1 (id 'koala'): field 'relations[1].type': 'inspired_by' is not a known "
        "relation type",
    ),
    (
        "relation-to-nowhere",
        "yaml",
        KOALA + "relations: ['fine_tuned_from:lama']\n",
        "record 1 (id 'koala'): field 'relations[1].target': relation fine_tuned_from -> 'lama' "
        "names no known release (did you mean 'llama'",
    ),
    (
        "csv-relation-to-nowhere",
        "csv",
        "id,name,organisations,date,kind,sources,relations\n"
        "koala,Koala,UC Berkeley,2023-04-03,model,https://example.org/k,fine_tuned_from:llama;uses:vicunya\n",
        "record 1 (line 2, id 'koala'): field 'relations[2].target': relation uses -> 'vicunya' "
        "names no known release (did you mean 'vicuna'",
    ),
    (
        "cycle",
        "yaml",
        "- id: koala\n  name: Koala\n  organisations: [UC Berkeley]\n  date: '2023-04-03'\n"
        "  kind: model\n  sources: [https://example.org/k]\n"
        "  relations: ['fine_tuned_from:koala-2']\n"
        "- id: koala-2\n  name: Koala 2\n  organisations: [UC Berkeley]\n  date: '2023-05-01'\n"
        "  kind: model\n  sources: [https://example.org/k2]\n"
        "  relations: ['fine_tuned_from:koala']\n",
        "record 1 (id 'koala'): field 'relations': lineage would form a cycle: "
        "koala -> koala-2 -> koala",
    ),
    (
        "duplicate-id",
        "yaml",
        f"- {KOALA.replace(chr(10), chr(10) + '  ')}\n"
        f"- {KOALA.replace('name: Koala', 'name: Koala 13B').replace(chr(10), chr(10) + '  ')}",
        "record 2 (id 'koala'): field 'id': 'koala' is also record 1 of this file, "
        "with different content",
    ),
    (
        "megabyte-field",
        "yaml",
        KOALA + f"summary: {MEGABYTE}\n",
        "record 1 (id 'koala'): field 'summary': is 1,048,576 characters long; the limit is 4,000",
    ),
    (
        "bad-url",
        "yaml",
        KOALA.replace("https://bair.berkeley.edu/blog/2023/04/03/koala/", "javascript:alert(1)"),
        "record 1 (id 'koala'): field 'sources[1]': 'javascript:alert(1)' is not a URL",
    ),
    (
        "organisation-spelling",
        "yaml",
        KOALA.replace("UC Berkeley", "Meta-AI"),
        "record 1 (id 'koala'): field 'organisations[1]': 'Meta-AI' is spelled 'Meta AI' elsewhere",
    ),
    ("unknown-format", "txt", KOALA, "file: unknown format '.txt'"),
]


@pytest.mark.parametrize(
    "name, suffix, content, expected", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_is_refused_and_changes_nothing(
    run, workspace, tmp_path, name, suffix, content, expected
):
    path = tmp_path / f"{name}.{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    check = unchanged(workspace)
    result = CliRunner().invoke(cli, ["ingest", "releases", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}: " in result.output and "nothing was written" in result.output
    assert f"  {expected}" in result.output, result.output
    assert "Traceback" not in result.output
    check()


def test_all_problems_of_all_files_are_listed_together(run, workspace, tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text(
        KOALA.replace("'2023-04-03'", "'2023-13-01'") + "relations: ['fine_tuned_from:lama']\n"
    )
    b = tmp_path / "b.json"
    b.write_text('[{"name": "No id"}]')
    check = unchanged(workspace)
    result = run("ingest", "releases", str(a), str(b))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"Error: {a}, {b}: 5 problems, nothing was written"
    assert lines[-1] == "Fix the records above and run `kb ingest releases` again."
    check()


def test_sql_and_html_lookalikes_are_stored_verbatim(run, workspace, tmp_path):
    name = "Robert'); DROP TABLE releases; --"
    summary = "<script>alert('x')</script> <b>bold</b> ' OR 1=1 --"
    path = tmp_path / "odd.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "odd",
                    "name": name,
                    "organisations": ["<i>Org</i>"],
                    "date": "2023-04",
                    "kind": "model",
                    "summary": summary,
                    "sources": ["https://example.org/?q=1;DROP%20TABLE"],
                    "facts": [
                        {
                            "attribute": "note'; DELETE FROM facts; --",
                            "value": "<img src=x onerror=1>",
                        }
                    ],
                }
            ]
        )
    )
    result = run("ingest", "releases", str(path))
    assert result.exit_code == 0, result.output
    card = json.loads(run("timeline", "card", "odd", "--format", "json").output)
    assert card["name"] == name and card["summary"] == summary
    assert card["organisations"] == ["<i>Org</i>"]
    assert card["facts"][0]["attribute"] == "note'; DELETE FROM facts; --"
    assert card["facts"][0]["value"] == "<img src=x onerror=1>"
    with store.connect(workspace.db) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] > 34
    saved = yaml.safe_load((workspace.data_dir / "releases" / "odd.yaml").read_text())
    assert saved["name"] == name and saved["summary"] == summary


# --- kb timeline -----------------------------------------------------------------------------


def test_timeline_lists_releases_in_date_order(run):
    result = run("timeline", "--source", "curated", "--since", "2023-02-07")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "date",
        "id",
        "name",
        "lead_organisation",
        "kind",
        "access",
        "sources",
    ]
    assert lines[1].split()[:2] == ["2023-02-07", "bing-chat"]  # the seed chain's first event
    rows = json.loads(run("timeline", "--format", "json").output)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    # Every curated release with a date in its file is on the timeline, once.
    curated = json.loads(run("timeline", "--source", "curated", "--format", "json").output)
    files = [yaml.safe_load(p.read_text()) for p in (REPO / "data" / "releases").glob("*.yaml")]
    ids = [r["id"] for r in curated]
    assert len(ids) == len(set(ids)) and set(ids) <= {f["id"] for f in files}
    assert {f["id"] for f in files if f.get("date")} <= set(ids)


def test_timeline_lineage_shows_edge_types(run):
    result = run("timeline", "lineage", "dolly")
    assert result.exit_code == 0
    assert "ancestors (5)" in result.output and "descendants (0)" in result.output
    assert "trained_on_data_from > fine_tuned_from" in result.output


def test_timeline_lineage_of_unknown_id_suggests_close_matches(run):
    result = CliRunner().invoke(cli, ["timeline", "lineage", "vicunya"])
    assert result.exit_code == 1
    assert "Error: No release with id 'vicunya'. Did you mean 'vicuna'" in result.output
    assert "`kb timeline` lists every release id." in result.output


def test_timeline_card_shows_facts_and_caveats(run):
    result = run("timeline", "card", "gpt-4")
    assert result.exit_code == 0
    assert "facts (34, 13 with caveats)" in result.output
    assert "gpt-4-32k-0314" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "releases"],
        ["timeline"],
        ["timeline", "lineage"],
        ["timeline", "card"],
    ],
)
def test_help_shows_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "kb " in result.output


def test_timeline_db_option_counts_before_the_subcommand(workspace, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_DB", str(tmp_path / "elsewhere.duckdb"))
    for args in (
        ["timeline", "--db", str(workspace.db), "lineage", "claude"],
        ["timeline", "lineage", "claude", "--db", str(workspace.db)],
        ["timeline", "--db", str(workspace.db), "card", "claude"],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Claude (claude)")
