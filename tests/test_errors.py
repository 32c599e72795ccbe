"""kb.errors: the one cap on listed problems and the one did-you-mean."""

from __future__ import annotations

from kb.errors import (
    MAX_LISTED_PROBLEMS,
    Problem,
    ProblemList,
    ValidationError,
    did_you_mean,
    type_name,
)


def test_a_validation_error_lists_the_first_problems_and_counts_the_rest():
    problems = [Problem("a.csv", f"line {i}", "label", "bad") for i in range(1, 1234)]
    lines = str(ValidationError(problems, "Fix it.")).splitlines()
    assert lines[0] == "a.csv: 1,233 problems, nothing was written"
    assert lines[1] == "  line 1: field 'label': bad"
    assert len(lines) == 1 + MAX_LISTED_PROBLEMS + 2
    assert lines[-2] == f"  ... and {1233 - MAX_LISTED_PROBLEMS:,} more problems"
    assert lines[-1] == "Fix it."


def test_a_short_list_is_shown_whole():
    problems = [
        Problem("b.yaml", "record 1", None, "is empty"),
        Problem("a.yaml", "file", None, "x"),
    ]
    assert str(ValidationError(problems)) == (
        "a.yaml, b.yaml: 2 problems, nothing was written\n  record 1: is empty\n  file: x"
    )


def test_did_you_mean_names_the_closest_known_names():
    assert (
        did_you_mean("gpt4", ["gpt-4", "gpt-3", "llama", "gpt-4"])
        == "did you mean 'gpt-4', 'gpt-3'?"
    )
    assert did_you_mean("vicunya", ["vicuna", "alpaca"]) == "did you mean 'vicuna'?"
    assert did_you_mean("zzz", ["gpt-4", "llama"]) == ""


def test_a_problem_list_fills_up_and_the_error_says_where_checking_stopped():
    problems = ProblemList(limit=3)
    for i in range(1, 4):
        assert not problems.full
        problems.append(Problem("c.json", f"record {i}", "id", "bad"))
    assert problems.full
    problems.stopped = "records 4 to 9 of c.json were not checked"
    lines = str(ValidationError(problems)).splitlines()
    assert lines[0] == "c.json: 3 or more problems, nothing was written"
    assert lines[-1] == (
        "  ... and checking stopped early: records 4 to 9 of c.json were not checked"
    )


def test_type_names_cover_what_yaml_tags_make():
    assert [type_name(v) for v in (b"x", {"x"}, ("a", 1), 1.5, None)] == [
        "binary data",
        "a set",
        "a pair",
        "a number",
        "nothing",
    ]
