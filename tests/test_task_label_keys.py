"""task_labels, task_changes and aei_task_matches (to tasks) declare no keys (loading them
first is what makes a large build fast): the built store holds them, and check_task_labels
reports each kind of break by task and rater."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from kb.exposure import loading


def test_the_built_store_holds_the_task_label_keys(built):
    with duckdb.connect(str(built.db), read_only=True) as con:
        assert loading.check_task_labels(con) == []
        # independently of the check's SQL: one row per task and rater, every task in tasks
        rows, distinct, tasks, raters = con.execute(
            "SELECT count(*), count(DISTINCT (onet_code, task_id, rater)), "
            "count(DISTINCT (onet_code, task_id)), count(DISTINCT rater) FROM task_labels"
        ).fetchone()
        assert rows == distinct == tasks * raters
        assert tasks == con.execute("SELECT count(*) FROM tasks").fetchone()[0]


def test_the_built_store_holds_the_task_changes_keys(built):
    # task_changes: one row per labelled task, each naming a task of tasks, as its dropped
    # primary and foreign keys required
    with duckdb.connect(str(built.db), read_only=True) as con:
        rows, distinct, in_tasks, tasks = con.execute(
            "SELECT count(*), count(DISTINCT (onet_code, task_id)), "
            "count(*) FILTER (WHERE (onet_code, task_id) IN "
            "(SELECT (onet_code, task_id) FROM tasks)), (SELECT count(*) FROM tasks) "
            "FROM task_changes"
        ).fetchone()
    assert rows == distinct == in_tasks == tasks == 19_265


def test_every_aei_task_match_names_a_task(built):
    # aei_task_matches declares no foreign key to tasks: every match names a labelled task
    with duckdb.connect(str(built.db), read_only=True) as con:
        matches, unknown = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE (onet_code, task_id) NOT IN "
            "(SELECT (onet_code, task_id) FROM tasks)) FROM aei_task_matches"
        ).fetchone()
    assert matches > 0 and unknown == 0


def test_a_repeated_label_an_unknown_task_and_an_unknown_rater_are_reported(built, tmp_path):
    db = tmp_path / "kb.duckdb"
    shutil.copy(Path(built.db), db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO task_labels SELECT onet_code, task_id, rater, label FROM task_labels "
            "WHERE onet_code = '11-1011.00' AND task_id = 8823 AND rater = 'human'"
        )
        con.execute("INSERT INTO task_labels VALUES ('11-1011.00', 1, 'gpt4', 'E1')")
        con.execute("INSERT INTO task_labels VALUES ('11-1011.00', 8823, 'nobody', 'E0')")
        problems = [str(p) for p in loading.check_task_labels(con)]
    assert problems == [
        "task 8823 of 11-1011.00: field 'rater': rater human labels it 2 times",
        "task 1 of 11-1011.00: field 'rater': rater gpt4 labels a task that is not in tasks",
        "task 8823 of 11-1011.00: field 'rater': rater nobody is not in raters",
    ]
