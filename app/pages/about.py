"""About the data: how to cite, the caveats, sources and licences, the paper's figures
reproduced from the store (`kb verify`) and the build. No server paths are shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import cached, glossary
from app.ui import count, errors_shown, md, store
from kb import exposure, vocabulary

CC_BY = "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/)"
# What to cite, its licence, the citation: one row of the "How to cite" table.
CITATIONS = (
    (
        "kb (this dashboard and its store)",
        "see the repository",
        "kb {version}: LLM releases and task exposure, store built {built} (cite the sources "
        "below for the data).",
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
        "O\\*NET task statements, task types, Job Zones (27.2; 29.3 for the task changes)",
        CC_BY,
        "O\\*NET 27.2 and 29.3 Databases, U.S. Department of Labor, Employment and Training "
        "Administration (USDOL/ETA). Used under CC BY 4.0; kb adds the exposure labels and "
        "employment joins. O\\*NET is a trademark of USDOL/ETA.",
    ),
    (
        "Employment and wages (OEWS May 2021 and May 2025, Employment Projections 2022-32, "
        "NEM crosswalk)",
        "Public domain",
        "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics and "
        "Employment Projections.",
    ),
    (
        'Observed AI applicability ("Working with AI")',
        CC_BY,
        "Tomlinson, Jaffe, Wang, Counts & Suri (2025), *Working with AI: Measuring the "
        "Occupational Implications of Generative AI*, "
        "[arXiv 2507.07935](https://arxiv.org/abs/2507.07935); data from "
        "[microsoft/working-with-ai](https://github.com/microsoft/working-with-ai).",
    ),
    (
        "Anthropic Economic Index (release 2025-02-10)",
        "CC BY (data), MIT (code)",
        "Handa et al. (2025), *Which Economic Tasks are Performed with AI? Evidence from "
        "Millions of Claude Conversations*, [arXiv 2503.04761](https://arxiv.org/abs/2503.04761);"
        " data: Anthropic, "
        "[EconomicIndex](https://huggingface.co/datasets/Anthropic/EconomicIndex).",
    ),
    (
        "AI model catalogue (Epoch AI)",
        CC_BY,
        'Epoch AI, "Data on AI Models", [epoch.ai/data/ai-models](https://epoch.ai/data/ai-models).',
    ),
    (
        "Served models, context windows and prices (models.dev)",
        "MIT",
        "[models.dev](https://models.dev), the open catalogue of AI models (sst/models.dev).",
    ),
    (
        "Release timeline (data/releases/)",
        "This project",
        "Facts and dates from the sources linked on each release card.",
    ),
)


def citations(meta: dict[str, str]) -> str:
    """The "How to cite" table as markdown (the kb row names the version and build time)."""
    rows = ["| What | Licence | Cite |", "|---|---|---|"]
    for what, licence, text in CITATIONS:
        text = text.format(version=meta.get("kb_version", "?"), built=meta.get("built_at", "?"))
        rows.append(f"| {what} | {licence} | {text} |")
    return "\n".join(rows)


def caveats(cover: exposure.Coverage) -> str:
    """What a reader quoting a figure must know, as markdown bullets (figures from the store)."""
    gt, ge = vocabulary.COMPARISON_WORDS["gt"], vocabulary.COMPARISON_WORDS["ge"]
    return "\n".join(
        [
            f"- **The paper's employment counts some workers more than once.** Its recipe gives "
            f"every O\\*NET occupation all the workers of the NEM occupation it maps to: it "
            f"counts {count(cover.workers_counted)} workers, {cover.overcount:.2f}x the "
            f"{count(cover.all_workers)} the source reports. Shares are ratios and move little "
            "(the OEWS recipes count each worker once), but never quote that recipe's worker "
            "counts as an occupation's own.",
            f"- **'{gt.capitalize()}' and '{ge}' differ.** The authors' code counts an "
            f"occupation whose exposure is {gt} the threshold (>); the abstract says '{ge}' "
            "(>=). At 50% the two differ by several points: the Exposure page shows both.",
            "- **Exposure is potential, not adoption.** A task is exposed when an LLM could cut "
            "its time by half or more; it says nothing about whether anyone does so.",
            "- **Occupations means different sets.** 923 O\\*NET occupations under the paper's "
            "recipe; the OEWS recipes count OEWS occupations (784 SOC codes in May 2021), whose "
            "exposure is the mean over the O\\*NET occupations they hold.",
            "- **Labels were written in 2023** about GPT-4-era models and O\\*NET 27.2 tasks.",
        ]
    )


def figure(value: float, tolerance: float) -> str:
    """Shares and task means as percentages; tiny reproduction errors in scientific notation."""
    return f"{100 * value:.1f}%" if tolerance >= 1e-3 else f"{value:.1e}"


def verification_table(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Figure": [
                matching_words(d or i, r)
                for d, i, r in zip(frame["description"], frame["id"], frame["recipe"], strict=True)
            ],
            "Published": [
                figure(v, t) for v, t in zip(frame["published"], frame["tolerance"], strict=True)
            ],
            "Reproduced": [
                figure(v, t) for v, t in zip(frame["reproduced"], frame["tolerance"], strict=True)
            ],
            "Tolerance": [("±" + figure(t, t)) for t in frame["tolerance"]],
            "Within": frame["ok"].map({True: "yes", False: "NO"}),
            "How": frame["recipe"].map(plain_recipe),
            "Source": frame["source"],
        }
    )
    return out


def matching_words(description: str, recipe: str) -> str:
    """The figure's description in the words of the comparison its recipe uses: a row computed
    with '>' must not say 'at least' (the abstract's wording) but 'more than'."""
    for key, words in vocabulary.COMPARISON_WORDS.items():
        if f"exposure {vocabulary.COMPARISON_SIGNS[key]} " in recipe:
            for other in vocabulary.COMPARISON_WORDS.values():
                description = description.replace(other, words)
    return description


def plain_recipe(text: str) -> str:
    """A recipe line with the comparison in words: 'exposure > 0.5' -> 'exposure more than 50%'."""
    for key, words in vocabulary.COMPARISON_WORDS.items():
        sign = vocabulary.COMPARISON_SIGNS[key]
        for value in ("0.1", "0.5"):
            text = text.replace(f"exposure {sign} {value}", f"exposure {words} {float(value):.0%}")
    return text


def render() -> None:
    st.title("About the data")
    ref = store()
    with errors_shown():
        meta = cached.store_meta(ref)
        files = cached.upstream_files(ref)
        published = cached.verification(ref)
        cover = cached.headline(ref, exposure.PAPER)[0].coverage

    st.subheader("How to cite")
    st.markdown(citations(meta))

    st.subheader("Before you quote a figure")
    st.markdown(caveats(cover))
    glossary.show()

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
        f"Built {md(meta.get('built_at', '?'))} by kb {md(meta.get('kb_version', '?'))} "
        f"(DuckDB {md(meta.get('duckdb_version', '?'))}, storage "
        f"{md(meta.get('storage_version', '?'))}, schema {md(meta.get('schema_version', '?'))})."
    )
    counts = cached.table_counts(ref)
    st.dataframe([{"table": name, "rows": n} for name, n in counts.items()], hide_index=True)


if __name__ == "__main__":
    render()
