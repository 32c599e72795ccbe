"""kb.exposure.loading: what the build loads from the authors' files, checked against the raw
files, and the readers' refusal of damaged content (file, line and field named)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kb import store
from kb.errors import ValidationError
from kb.exposure import loading


@pytest.fixture
def con(built):
    with store.connect(built.db) as connection:
        yield connection


@pytest.fixture(scope="module")
def raw(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", index_col=0)


def scalar(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()[0]


def test_counts(con, raw):
    assert scalar(con, "SELECT count(*) FROM tasks") == len(raw) == 19265
    assert scalar(con, "SELECT count(*) FROM occupations") == raw["O*NET-SOC Code"].nunique() == 923
    assert (
        scalar(con, "SELECT count(*) FROM task_labels WHERE rater IN ('human','gpt4','gpt4_alt')")
        == 3 * 19265
    )
    assert scalar(con, "SELECT count(*) FROM soc_major_groups") == 22
    assert scalar(con, "SELECT count(*) FROM onet_nem_crosswalk") == 997


@pytest.mark.parametrize(
    "rater,column", list({r: c for r, (c, _) in loading.BUILTIN_RATERS.items()}.items())
)
def test_labels_in_long_form_match_the_label_columns(con, raw, rater, column):
    ours = con.execute(
        "SELECT label, count(*) FROM task_labels WHERE rater = ? GROUP BY label", [rater]
    ).fetchall()
    assert dict(ours) == raw[column].value_counts().to_dict()


def test_alpha_beta_gamma_columns_follow_gpt4_not_human(raw):
    """Why kb derives the measures from the labels: the file's alpha is GPT-4's E1 share."""
    gpt4_alpha = (raw["gpt4_exposure"] == "E1").astype(float)
    human_alpha = (raw["human_exposure_agg"] == "E1").astype(float)
    assert (raw["alpha"] == gpt4_alpha).all()
    assert not (raw["alpha"] == human_alpha).all()


def test_task_types_keep_the_untyped_tasks(con, raw):
    counts = dict(
        con.execute("SELECT coalesce(task_type, 'none'), count(*) FROM tasks GROUP BY 1").fetchall()
    )
    assert counts == {"Core": 13225, "Supplemental": 4728, "none": 1312}
    assert raw["Task Type"].isna().sum() == 1312


def test_occupations_carry_soc_group_job_zone_education(con):
    row = con.execute(
        "SELECT title, soc_code, major_group, nem_code, oews_code, job_zone, education "
        "FROM occupations WHERE onet_code = '11-1011.00'"
    ).fetchone()
    assert row == (
        "Chief Executives",
        "11-1011",
        "11-0000",
        "11-1011",
        "11-1011",
        5,
        "Bachelor's degree",
    )
    # OEWS 2021 publishes buyers only combined (13-1020): the detailed codes map onto it.
    assert (
        scalar(con, "SELECT oews_code FROM occupations WHERE onet_code = '13-1023.00'") == "13-1020"
    )
    # Job Zones come by title from occupations_onet_basic_skills.csv (873 titles): 50 are missing,
    # among them Data Scientists and Software Developers.
    assert scalar(con, "SELECT count(*) FROM occupations WHERE job_zone IS NULL") == 50
    assert scalar(con, "SELECT job_zone FROM occupations WHERE onet_code = '15-2051.00'") is None
    assert scalar(con, "SELECT count(*) FROM occupations WHERE education IS NULL") == 0


def test_oews_numbers_lose_separators_and_marks(con, raw_dir):
    frame = pd.read_csv(raw_dir / "national_May2021_dl.csv", dtype=str, encoding="utf-8-sig")
    assert (
        scalar(
            con,
            "SELECT employment FROM employment WHERE vintage = 'oews-2021' AND code = '00-0000'",
        )
        == 140_886_310
    )
    suppressed = frame["TOT_EMP"].str.contains(r"\*").sum()
    assert (
        scalar(
            con,
            "SELECT count(*) FROM employment WHERE vintage = 'oews-2021' AND employment IS NULL",
        )
        == suppressed
    )
    top_coded = (frame["A_MEDIAN"] == "#").sum()
    assert top_coded > 0
    assert (
        scalar(
            con,
            "SELECT count(*) FROM employment WHERE vintage = 'oews-2021' "
            "AND wage_topcoded AND annual_wage = 208000",
        )
        == top_coded
    )
    chief = con.execute(
        "SELECT employment, annual_wage, wage_topcoded FROM employment "
        "WHERE vintage = 'oews-2021' AND code = '11-1011' AND level = 'detailed'"
    ).fetchone()
    raw_chief = frame[(frame.OCC_CODE == "11-1011") & (frame.O_GROUP == "detailed")].iloc[0]
    assert chief[0] == float(raw_chief.TOT_EMP.replace(",", ""))
    assert chief[2] == (raw_chief.A_MEDIAN == "#")


def test_projections_are_converted_from_thousands(con):
    assert (
        scalar(
            con,
            "SELECT employment FROM employment WHERE vintage = 'projections-2022' "
            "AND code = '00-0000'",
        )
        == 164_482_600
    )
    row = con.execute(
        "SELECT title, employment, annual_wage, education FROM employment "
        "WHERE vintage = 'projections-2022' AND code = '11-1011'"
    ).fetchone()
    assert row == ("Chief executives", 280_000, 189_520, "Bachelor's degree")
    assert (
        scalar(
            con,
            "SELECT count(*) FROM employment WHERE vintage = 'projections-2022' "
            "AND level = 'line item'",
        )
        == 832
    )


def test_reference_occupation_exposure_is_occ_level_csv(con, raw_dir):
    published = pd.read_csv(raw_dir / "occ_level.csv")
    assert scalar(con, "SELECT count(*) FROM reference_occupation_exposure") == 6 * len(published)
    value = scalar(
        con,
        "SELECT exposure FROM reference_occupation_exposure WHERE onet_code = "
        "'11-1011.00' AND rater = 'gpt4' AND measure = 'zeta'",
    )
    assert value == published.set_index("O*NET-SOC Code").loc["11-1011.00", "dv_rating_gamma"]


# --- readers refuse damaged content -------------------------------------------------------------


def damaged_labelset(tmp_path: Path, raw_dir: Path, edit) -> Path:
    lines = (raw_dir / "full_labelset.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    edit(lines, header)
    path = tmp_path / "full_labelset.tsv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def set_field(lines: list[str], header: list[str], line_no: int, column: str, value: str) -> None:
    cells = lines[line_no - 1].rstrip("\n").split("\t")
    cells[header.index(column)] = value
    lines[line_no - 1] = "\t".join(cells) + "\n"


def test_a_bad_label_and_a_bad_task_id_are_reported_by_line_and_field(tmp_path, raw_dir):
    def edit(lines, header):
        set_field(lines, header, 5, "gpt4_exposure", "E3")
        set_field(lines, header, 9, "Task ID", "")

    with pytest.raises(ValidationError) as info:
        loading.read_labelset(damaged_labelset(tmp_path, raw_dir, edit))
    problems = [str(p) for p in info.value.problems]
    assert "line 9: field 'Task ID': '' is not a whole number" in problems
    assert "line 5: field 'gpt4_exposure': 'E3' is not E0, E1 or E2" in problems
    assert str(info.value).startswith("full_labelset.tsv: 2 problems, nothing was written")


def test_a_duplicated_task_is_reported(tmp_path, raw_dir):
    def edit(lines, header):
        lines.append(lines[1].replace("0\t", "99999\t", 1))

    with pytest.raises(ValidationError) as info:
        loading.read_labelset(damaged_labelset(tmp_path, raw_dir, edit))
    assert [str(p) for p in info.value.problems] == [
        "line 19267: field 'Task ID': task 8823 of 11-1011.00 appears twice"
    ]


def test_a_missing_column_is_reported(tmp_path, raw_dir):
    def edit(lines, header):
        lines[0] = lines[0].replace("human_exposure_agg", "human_exposure")

    with pytest.raises(ValidationError) as info:
        loading.read_labelset(damaged_labelset(tmp_path, raw_dir, edit))
    assert [str(p) for p in info.value.problems] == [
        "header: field 'human_exposure_agg': column is missing"
    ]


def test_xlsx_reader_refuses_a_broken_workbook_or_a_missing_sheet(tmp_path, raw_dir):
    from kb import xlsx
    from kb.errors import SourceError

    broken = tmp_path / "occupation_2023_final.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(SourceError, match=r"not a readable \.xlsx workbook"):
        xlsx.read_sheet(broken, "Table 1.7")
    with pytest.raises(SourceError, match=r"no sheet 'Table 9\.9'"):
        xlsx.read_sheet(raw_dir / "occupation_2023_final.xlsx", "Table 9.9")
    rows = xlsx.read_sheet(raw_dir / "occupation_2023_final.xlsx", "Table 1.7")
    assert rows[5][:4] == ("      Chief executives", "11-1011", "Line item", 280)
