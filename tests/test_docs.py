"""The README documents what the store holds and the commands CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from kb import store

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def test_every_table_and_view_is_documented_in_the_readme(built):
    with store.connect(built.db) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database()"
            ).fetchall()
        ]
    assert len(names) > 30
    missing = [n for n in names if f"`{n}`" not in README]
    assert missing == [], f"README does not document: {missing}"


def test_quick_start_is_two_make_targets_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, flags=re.M)
    assert commands == ["make dashboard", "make test"]
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^dashboard:", makefile, flags=re.M)
    assert re.search(r"^test:", makefile, flags=re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_linked_documents_exist():
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (REPO / link).exists(), link
