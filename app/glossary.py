"""The glossary and the plain-language help of the widgets, from kb.vocabulary's descriptions
(one definition of every term: the CLI's help says the same)."""

from __future__ import annotations

import streamlit as st

from app.ui import md
from kb import vocabulary

# Section title -> {term: description}, in reading order.
SECTIONS: dict[str, dict[str, str]] = {
    "Task labels": dict(vocabulary.LABELS),
    "Measures (an occupation's exposure is the mean of its tasks' values)": dict(
        vocabulary.MEASURES
    ),
    "Raters, tasks and thresholds": {
        k: vocabulary.TERMS[k]
        for k in (
            "rater",
            "gpt4_alt",
            "O*NET",
            "core task",
            "supplemental task",
            "threshold",
            "kappa",
        )
    },
    "Task weightings": dict(vocabulary.WEIGHTINGS),
    "Comparisons": {
        f"{term} ({vocabulary.COMPARISON_WORDS[term]})": text
        for term, text in vocabulary.COMPARISONS.items()
    },
    "Employment recipes": dict(vocabulary.EMPLOYMENT_RECIPES),
    "Occupations, groups and sources": {
        k: vocabulary.TERMS[k] for k in ("Job Zone", "NEM", "OEWS", "SOC")
    },
}


def entries() -> dict[str, str]:
    """Every term and its description, flat (for tests and help lookups)."""
    out: dict[str, str] = {}
    for section in SECTIONS.values():
        out.update(section)
    return out


def markdown() -> str:
    """The glossary as markdown, every term and description escaped ('O*NET', '0.5 E2')."""
    lines: list[str] = []
    for title, terms in SECTIONS.items():
        lines.append(f"**{md(title)}**")
        lines.append("")
        lines += [f"- **{md(term)}**: {md(text)}" for term, text in terms.items()]
        lines.append("")
    return "\n".join(lines)


def show(expanded: bool = False) -> None:
    """The glossary in an expander."""
    with st.expander("Glossary: E0/E1/E2, alpha/beta/zeta, Job Zone, NEM, kappa ...", expanded):
        st.markdown(markdown())


def help_text(terms: dict[str, str], names: dict[str, str] | None = None) -> str:
    """help= text for a widget whose options are `terms`: one escaped line per option."""
    return "\n\n".join(
        f"**{md((names or {}).get(term, term))}**: {md(text)}" for term, text in terms.items()
    )
