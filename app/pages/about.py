"""About the data: sources, licences and citations, the build, and the paper's figures
reproduced from the store (`kb verify`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import cached
from app.ui import errors_shown, store

CC_BY = "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)"
# Data, licence, citation: one row of the table on the page.
LICENCE_ROWS = (
    (
        "O\\*NET 27.2 task statements, Job Zones",
        CC_BY,
        "O\\*NET 27.2 Database, U.S. Department of Labor, Employment and Training Administration "
        "(USDOL/ETA). Used under CC BY 4.0; kb adds the exposure labels and employment joins.",
    ),
    (
        "Exposure labels (human, GPT-4) and the authors' derived tables",
        "MIT",
        "Eloundou, Manning, Mishkin & Rock (2023), *GPTs are GPTs: An Early Look at the Labor "
        "Market Impact Potential of Large Language Models*, "
        "[arXiv 2303.10130](https://arxiv.org/abs/2303.10130) (Science, 2024); data from "
        "[openai/GPTs-are-GPTs](https://github.com/openai/GPTs-are-GPTs).",
    ),
    (
        "Employment and wages (OEWS May 2021, Employment Projections 2022-32, crosswalk)",
        "Public domain",
        "U.S. Bureau of Labor Statistics.",
    ),
    (
        'Observed AI applicability ("Working with AI")',
        CC_BY,
        "Tomlinson, Jaffe, Wang, Counts & Suri (2025), "
        "[arXiv 2507.07935](https://arxiv.org/abs/2507.07935); data from "
        "[microsoft/working-with-ai](https://github.com/microsoft/working-with-ai).",
    ),
    (
        "Release timeline (data/releases/)",
        "This project",
        "Facts and dates from the sources linked on each release card.",
    ),
)
LICENCES = "\n".join(
    ["", "| Data | Licence | Citation |", "|---|---|---|"]
    + [f"| {data} | {licence} | {citation} |" for data, licence, citation in LICENCE_ROWS]
    + [""]
)


def figure(value: float, tolerance: float) -> str:
    """Shares and task means as percentages; tiny reproduction errors in scientific notation."""
    return f"{100 * value:.1f}%" if tolerance >= 1e-3 else f"{value:.1e}"


def verification_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Figure": frame["description"].where(frame["description"] != "", frame["id"]),
            "Published": [
                figure(v, t) for v, t in zip(frame["published"], frame["tolerance"], strict=True)
            ],
            "Reproduced": [
                figure(v, t) for v, t in zip(frame["reproduced"], frame["tolerance"], strict=True)
            ],
            "Tolerance": [("±" + figure(t, t)) for t in frame["tolerance"]],
            "Within": frame["ok"].map({True: "yes", False: "NO"}),
            "How": frame["recipe"],
            "Source": frame["source"],
        }
    )
    return out


def render() -> None:
    st.title("About the data")
    ref = store()
    with errors_shown():
        meta = cached.store_meta(ref)
        files = cached.upstream_files(ref)
        published = cached.verification(ref)

    st.subheader("Sources and licences")
    st.markdown(LICENCES)

    st.subheader("The paper's figures, reproduced")
    st.write(
        "`kb verify` recomputes the figures the paper publishes from the store and compares "
        "them within the stated tolerance."
    )
    st.dataframe(
        verification_table(published),
        hide_index=True,
        column_config={"Source": st.column_config.TextColumn("Source", width="large")},
    )

    st.subheader("Upstream files the store was built from")
    st.write("Pinned to a commit and checked against their SHA-256 on every build.")
    st.dataframe(
        files,
        hide_index=True,
        column_config={"url": st.column_config.LinkColumn("url", display_text=r".*/([^/]+)$")},
    )

    st.subheader("This store")
    st.write(
        f"Store `{ref.db}`, built {meta.get('built_at', '?')} by kb {meta.get('kb_version', '?')} "
        f"(DuckDB {meta.get('duckdb_version', '?')}, storage {meta.get('storage_version', '?')}, "
        f"schema {meta.get('schema_version', '?')})."
    )
    counts = cached.table_counts(ref)
    st.dataframe([{"table": name, "rows": n} for name, n in counts.items()], hide_index=True)


if __name__ == "__main__":
    render()
