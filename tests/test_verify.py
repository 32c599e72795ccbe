"""kb.verify: the paper's published figures recomputed from the store, within tolerance."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from kb import store, verify
from kb.cli import cli
from kb.errors import KBError


@pytest.fixture
def con(built):
    with store.connect(built.db) as connection:
        yield connection


def test_every_published_figure_is_reproduced(con):
    frame = verify.verify(con)
    assert list(frame.id) == [
        "workers_10pct",
        "workers_50pct",
        "tasks_llm_alone",
        "tasks_with_software_human",
        "tasks_with_software_gpt4",
        "occ_level_reproduced",
    ]
    assert frame.ok.all()
    by_id = frame.set_index("id")
    assert by_id.loc["workers_10pct", "published"] == 0.80
    assert abs(by_id.loc["workers_10pct", "reproduced"] - 0.80) <= 0.015
    assert abs(by_id.loc["workers_50pct", "reproduced"] - 0.19) <= 0.015
    assert by_id.loc["occ_level_reproduced", "reproduced"] <= 1e-9
    assert all("arXiv:2303.10130" in s for s in frame.source.iloc[:5])


def test_every_figure_cites_its_source_and_tolerance():
    figures = yaml.safe_load((REPO / "data" / "published.yml").read_text())["figures"]
    for figure in figures:
        assert figure["source"].strip() and figure["tolerance"] > 0


def drifting(tmp_path, published: float):
    figures = yaml.safe_load((REPO / "data" / "published.yml").read_text())["figures"]
    figures[0]["published"] = published
    path = tmp_path / "published.yml"
    path.write_text(yaml.safe_dump({"figures": figures}))
    return path


def test_a_drifting_figure_is_flagged(con, tmp_path):
    frame = verify.verify(con, drifting(tmp_path, 0.70))
    assert not frame.set_index("id").loc["workers_10pct", "ok"]
    assert frame.ok.sum() == len(frame) - 1


def test_cli_exits_non_zero_on_drift(built, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", "--db", str(built.db)])
    assert ok.exit_code == 0, ok.output
    assert "workers_10pct" in ok.output and "arXiv:2303.10130, abstract" in ok.output
    bad = runner.invoke(
        cli, ["verify", "--db", str(built.db), "--published", str(drifting(tmp_path, 0.7))]
    )
    assert bad.exit_code == 1
    assert "Drifted beyond tolerance: workers_10pct." in bad.output


def test_a_malformed_published_file_is_refused(con, tmp_path):
    path = tmp_path / "published.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "figures": [
                    {
                        "id": "x",
                        "kind": "guess",
                        "published": 1,
                        "tolerance": 0.1,
                        "source": "nowhere",
                    }
                ]
            }
        )
    )
    with pytest.raises(KBError, match="unknown kind 'guess'"):
        verify.verify(con, path)
