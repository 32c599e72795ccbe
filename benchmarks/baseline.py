"""The baseline: the paper's headline computed the way an analyst's notebook would, in pandas.

Read the authors' files with pandas, turn the human labels into beta per task, average per
occupation with equal task weights, attach 2022 employment through the BLS crosswalk (by the NEM
title, as the authors' notebook does), and sum the employment of occupations above the threshold.
No kb code is used, so the benchmark can assert that kb and this give the same numbers.

Two entry points, for the two comparisons the benchmark makes:
- headline_from_files(raw_dir, thresholds): raw files -> headline (compare with `kb build` +
  the headline query);
- headline(frames, threshold): on frames already in memory (compare with the query on a built
  store).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

DATASET = "gpts-are-gpts"
LABEL_COLUMN = {
    "human": "human_exposure_agg",
    "gpt4": "gpt4_exposure",
    "gpt4_alt": "gpt4_exposure_alt_rubric",
}
MEASURE = {
    "alpha": {"E1": 1.0, "E2": 0.0},
    "beta": {"E1": 1.0, "E2": 0.5},
    "zeta": {"E1": 1.0, "E2": 1.0},
}


@dataclass(frozen=True)
class Frames:
    labels: pd.DataFrame  # full_labelset.tsv
    crosswalk: pd.DataFrame  # nem-onet-to-soc-crosswalk.xlsx, first sheet
    projections: pd.DataFrame  # occupation_2023_final.xlsx, Table 1.7


def _find(raw_dir: Path, file: str) -> Path:
    for candidate in (raw_dir / DATASET / file, raw_dir / file, raw_dir.parent / DATASET / file):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{file} not found under {raw_dir}")


def load_frames(raw_dir: str | Path) -> Frames:
    raw_dir = Path(raw_dir)
    labels = pd.read_csv(_find(raw_dir, "full_labelset.tsv"), sep="\t")
    crosswalk = pd.read_excel(_find(raw_dir, "nem-onet-to-soc-crosswalk.xlsx"), header=4)
    projections = pd.read_excel(
        _find(raw_dir, "occupation_2023_final.xlsx"), sheet_name="Table 1.7", header=1
    )
    return Frames(labels, crosswalk, projections)


def occupation_employment(frames: Frames) -> pd.DataFrame:
    """One row per O*NET occupation with its 2022 employment (persons) by NEM title."""
    proj = frames.projections
    proj = proj[proj["Occupation type"] == "Line item"]
    employment = pd.DataFrame(
        {
            "nem_title": proj["2022 National Employment Matrix title"].str.strip(),
            "employment": pd.to_numeric(proj["Employment, 2022"], errors="coerce") * 1000,
        }
    ).dropna()
    crosswalk = frames.crosswalk[
        ["O*NET-SOC Code", "National Employment Matrix Occupational Title"]
    ]
    crosswalk = crosswalk.rename(
        columns={"National Employment Matrix Occupational Title": "nem_title"}
    )
    crosswalk["nem_title"] = crosswalk["nem_title"].str.strip()
    return crosswalk.merge(employment, on="nem_title", how="inner")


def occupation_exposure(frames: Frames, rater: str = "human", measure: str = "beta") -> pd.Series:
    """Equal-weighted mean task exposure per O*NET occupation."""
    values = frames.labels[LABEL_COLUMN[rater]].map(MEASURE[measure]).fillna(0.0)
    return values.groupby(frames.labels["O*NET-SOC Code"]).mean().rename("exposure")


def headline(
    frames: Frames,
    threshold: float,
    rater: str = "human",
    measure: str = "beta",
    compare: str = "gt",
    employment: pd.DataFrame | None = None,
) -> dict[str, float]:
    """Share of workers (and of occupations) whose occupation's exposure passes the threshold."""
    exposure = occupation_exposure(frames, rater, measure).reset_index()
    if employment is None:
        employment = occupation_employment(frames)
    merged = exposure.merge(employment, on="O*NET-SOC Code", how="inner")
    passes = merged["exposure"] > threshold if compare == "gt" else merged["exposure"] >= threshold
    return {
        "threshold": threshold,
        "share_workers": float(merged.loc[passes, "employment"].sum() / merged["employment"].sum()),
        "share_occupations": float(passes.mean()),
        "workers_counted": float(merged["employment"].sum()),
        "occupations_counted": len(merged),
    }


def headline_from_files(
    raw_dir: str | Path, thresholds: tuple[float, ...] = (0.1, 0.5)
) -> list[dict]:
    """From the raw files to the headline figures, as one notebook run would do it."""
    frames = load_frames(raw_dir)
    return [headline(frames, t) for t in thresholds]


if __name__ == "__main__":
    import json
    import sys

    print(
        json.dumps(
            headline_from_files(
                sys.argv[1]
                if len(sys.argv) > 1
                else Path(__file__).resolve().parents[2] / "shared" / "data"
            )
        )
    )
