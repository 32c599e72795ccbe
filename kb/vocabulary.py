"""Every closed set in kb, once: the terms a user can name and what each means.

Each set is a mapping from term to a one-line description, in display order. The CLI builds its
`click.Choice` options from these mappings, the dashboard its selectboxes and glossary, the store
its vocabulary tables and CHECK constraints (a test keeps the DDL in step), so help text, checks
and data cannot drift apart. Adding a term is a code change, reviewed like one.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# --- The release timeline ------------------------------------------------------------------

KINDS: Final[dict[str, str]] = {
    "model": "a trained model or model family made available in some form (weights, API, product)",
    "paper": "a research paper or report whose model was not released for use",
    "system": "software that combines existing models (an orchestration or tool-use system)",
    "api": "developer access to models through an API",
    "product": "an end-user application built on models",
    "feature": "a capability added to an existing product (e.g. plugins)",
    "dataset": "a data set released on its own",
    "funding": "a funding round or other business event",
    "external": "something a release builds on that is outside the timeline (undated here)",
}

# Lineage only: what a release was built from or with. The order a thing happened in is
# chronology, which comes from dates and is never stored as a relation.
RELATION_TYPES: Final[dict[str, str]] = {
    "fine_tuned_from": "weights were obtained by fine-tuning the target model",
    "trained_on_data_from": "training data was produced by, or taken from, the target",
    "architecture_from": "model design follows the target's architecture (trained anew)",
    "method_from": "training or data method adopted or adapted from the target",
    "built_on": "runs on, or is powered by, the target model",
    "provides_access_to": "an API or service giving access to the target model",
    "uses": "calls the target at run time (as a tool, controller or data source)",
    "successor_of": "the next version of the target",
    "evaluated_with": "the target was used to evaluate this release",
}

MODALITIES: Final[dict[str, str]] = {
    "text": "natural-language text",
    "code": "source code",
    "image": "still images",
    "audio": "speech or other sound",
    "video": "moving images",
}

DatePrecision = Literal["day", "month", "year"]
DATE_PRECISIONS: Final[tuple[DatePrecision, ...]] = get_args(DatePrecision)

# --- Task exposure --------------------------------------------------------------------------

Label = Literal["E0", "E1", "E2"]
LABELS: Final[dict[str, str]] = {
    "E0": "no exposure: an LLM would not cut the time for this task by half or more",
    "E1": "direct exposure: an LLM (such as ChatGPT) alone cuts the time by half or more",
    "E2": "exposure with software built on an LLM (tools, retrieval, images) cuts it by half",
}

Measure = Literal["alpha", "beta", "zeta"]
MEASURES: Final[dict[str, str]] = {
    "alpha": "E1: direct exposure only (lower bound)",
    "beta": "E1 + 0.5 E2: direct exposure plus half of the software-enabled (the paper's headline)",
    "zeta": "E1 + E2: direct and software-enabled exposure (upper bound)",
}
# How much an E1 and an E2 task count under each measure (E0 counts 0).
MEASURE_WEIGHTS: Final[dict[str, tuple[float, float]]] = {
    "alpha": (1.0, 0.0),
    "beta": (1.0, 0.5),
    "zeta": (1.0, 1.0),
}
# Short formulas for recipe lines and chart titles.
MEASURE_FORMULAS: Final[dict[str, str]] = {"alpha": "E1", "beta": "E1 + 0.5*E2", "zeta": "E1 + E2"}
MEASURE_ALIASES: Final[dict[str, str]] = {"gamma": "zeta"}  # the authors' files call zeta gamma

Weighting = Literal["equal", "core"]
WEIGHTINGS: Final[dict[str, str]] = {
    "equal": "equal task weights (each task counts once, as in the paper's tables)",
    "core": "core tasks 2 : supplemental tasks 1 (reproduces the authors' occ_level.csv)",
}

Comparison = Literal["gt", "ge"]
COMPARISONS: Final[dict[str, str]] = {
    "gt": "exposure above the threshold (>), as the authors' code computes it",
    "ge": "exposure at or above the threshold (>=), as the abstract words it",
}
COMPARISON_SIGNS: Final[dict[str, str]] = {"gt": ">", "ge": ">="}
# The words that match each sign, for quotable sentences: "more than 50%" vs "at least 50%".
COMPARISON_WORDS: Final[dict[str, str]] = {"gt": "more than", "ge": "at least"}
# Short phrases for recipe lines ("human labels, beta (E1 + 0.5*E2), equal task weights, ...").
WEIGHTING_PHRASES: Final[dict[str, str]] = {
    "equal": "equal task weights",
    "core": "core tasks 2 : supplemental 1",
}

EmploymentRecipe = Literal["paper", "oews-2021", "oews-2025"]
EMPLOYMENT_RECIPES: Final[dict[str, str]] = {
    "paper": "BLS Employment Projections 2022 employment joined through the NEM crosswalk "
    "(the authors' notebook; an NEM occupation counts once per O*NET occupation mapped to it)",
    "oews-2021": "OEWS May 2021 detailed employment, each worker counted once "
    "(O*NET occupations of one SOC code averaged)",
    "oews-2025": "OEWS May 2025 detailed employment, each worker counted once (O*NET "
    "occupations of one OEWS code averaged; SOC codes OEWS does not publish roll up to its code)",
}

Grouping = Literal["major_group", "job_zone", "education", "wage_quintile"]
GROUPINGS: Final[dict[str, str]] = {
    "major_group": "SOC major group",
    "job_zone": "O*NET Job Zone (1 little preparation ... 5 extensive preparation)",
    "education": "typical education needed for entry (BLS)",
    "wage_quintile": "median annual wage quintile, weighted by employment",
}

Level = Literal["task", "occupation"]
LEVELS: Final[dict[str, str]] = {
    "task": "one O*NET task statement",
    "occupation": "one O*NET-SOC occupation (the mean over its tasks)",
}

AgreementMetric = Literal["kappa", "agreement", "pearson_r", "n"]
AGREEMENT_METRICS: Final[dict[str, str]] = {
    "kappa": "Cohen's kappa: agreement beyond chance (1 perfect, 0 chance)",
    "agreement": "share of items given the same category",
    "pearson_r": "Pearson correlation of the exposure values",
    "n": "items both raters labelled",
}

# Published employment, by vintage (what the table employment holds).
EMPLOYMENT_VINTAGES: Final[dict[str, str]] = {
    "oews-2021": "OEWS May 2021 national employment and wages (SOC codes)",
    "oews-2025": "OEWS May 2025 national employment and wages (SOC codes)",
    "projections-2022": "BLS Employment Projections 2022, Table 1.7 (NEM codes)",
}

# --- Exposure sources (who or what produced a measure) -------------------------------------

SOURCE_KINDS: Final[dict[str, str]] = {
    "human_annotation": "labels written by people following a rubric",
    "model_labels": "labels produced by a language model following a rubric",
    "usage_log": "measured from how people actually use an AI system",
}

# --- Published figures that `kb verify` recomputes -----------------------------------------

PublishedKind = Literal["share_workers", "task_mean", "occ_level_max_abs_diff"]
PUBLISHED_KINDS: Final[dict[str, str]] = {
    "share_workers": "share of workers above a task-exposure threshold",
    "task_mean": "mean task exposure",
    "occ_level_max_abs_diff": "largest difference from the authors' occ_level.csv",
}


def canonical_measure(name: str) -> str:
    """The measure a name stands for ('gamma' is the authors' name for zeta); unchecked."""
    return MEASURE_ALIASES.get(name, name)


# --- Living sources: outside catalogues taken in as dated snapshots ------------------------

LIVING_SOURCES: Final[dict[str, str]] = {
    "curated": "the hand-written records in data/releases/ (the authority)",
    "epoch": "Epoch AI, 'Data on AI Models' (CC BY 4.0)",
    "models.dev": "models.dev, the open catalogue of served models (MIT)",
}

# How a model can be reached, from Epoch's 'Model accessibility' and models.dev's open_weights.
ACCESS_LEVELS: Final[dict[str, str]] = {
    "open_weights": "the trained weights can be downloaded (whatever the licence)",
    "api": "reachable through a paid or free API",
    "hosted": "usable in a hosted product only, without an API",
    "unreleased": "described in a paper or report but not made available",
}

# The dated events of a release; the timeline uses the first public one and names it.
DATE_EVENTS: Final[dict[str, str]] = {
    "announced": "first announced or published (blog post, paper or release note)",
    "paper": "the paper or technical report appeared",
    "api_available": "callable through an API",
    "weights_released": "weights published for download",
    "product_available": "usable in an end-user product",
    "dated_version": "a dated snapshot of the model was released (e.g. gpt-4-0613)",
}

# --- Short names for menus, chart titles and notes (the descriptions above say what each is) --

WEIGHTING_NAMES: Final[dict[str, str]] = {
    "equal": "equal (paper)",
    "core": "core 2 : supplemental 1",
}
COMPARISON_NAMES: Final[dict[str, str]] = {
    "gt": "> t (authors' code)",
    "ge": "≥ t (abstract's wording)",
}
EMPLOYMENT_NAMES: Final[dict[str, str]] = {
    "paper": "paper: BLS projections 2022 via NEM crosswalk",
    "oews-2021": "OEWS May 2021, each worker once",
    "oews-2025": "OEWS May 2025, each worker once",
}
GROUPING_NAMES: Final[dict[str, str]] = {
    "major_group": "SOC major group",
    "job_zone": "Job Zone",
    "education": "Typical education",
    "wage_quintile": "Wage quintile",
}
SOURCE_KIND_NAMES: Final[dict[str, str]] = {
    "human_annotation": "human annotators",
    "model_labels": "model labels",
    "usage_log": "usage log",
}

# --- Typical education for entry (BLS Employment Projections), from least to most -------------

EDUCATION_LEVELS: Final[dict[str, str]] = {
    "No formal educational credential": "no diploma or degree is typically needed",
    "High school diploma or equivalent": "a high school diploma or GED",
    "Some college, no degree": "college courses without a degree",
    "Postsecondary nondegree award": "a certificate or award below a degree",
    "Associate's degree": "a two-year degree",
    "Bachelor's degree": "a four-year degree",
    "Master's degree": "a master's degree",
    "Doctoral or professional degree": "a doctorate or professional degree (law, medicine)",
}

# --- Terms the dashboard's glossary explains that are no closed set of their own -------------

TERMS: Final[dict[str, str]] = {
    "O*NET": "the US Department of Labor's database of occupations and their tasks; kb uses "
    "release 27.2 (923 occupations with task statements, each an O*NET-SOC code like 15-1252.00)",
    "core task": "a task O*NET rates as important and frequent for the occupation",
    "supplemental task": "a task O*NET lists for the occupation that is less central to it",
    "Job Zone": "O*NET's five levels of preparation an occupation needs: 1 little or none "
    "(e.g. dishwashers) ... 5 extensive (e.g. surgeons, lawyers)",
    "NEM": "the National Employment Matrix of the BLS Employment Projections: its occupations are "
    "broader than O*NET's, so several O*NET occupations can map to one NEM occupation",
    "OEWS": "the BLS Occupational Employment and Wage Statistics: employment and wages by SOC code "
    "(784 detailed occupations reached by O*NET in May 2021), each worker counted once",
    "SOC": "the Standard Occupational Classification (2018): the codes OEWS publishes by; an "
    "O*NET-SOC code adds a two-digit suffix (15-1252.00)",
    "rater": "whose task labels: human annotators, GPT-4 (rubric 1), gpt4_alt (GPT-4 with the "
    "paper's alternative rubric 2), or a label set ingested later",
    "gpt4_alt": "GPT-4's labels under the paper's alternative rubric (rubric 2), a check on how "
    "much the wording of the instructions moves GPT-4's labels",
    "kappa": "Cohen's kappa: how often two raters agree beyond what chance would give "
    "(1 perfect, 0 no better than chance)",
    "threshold": "the share of an occupation's tasks that must be exposed for it to count as "
    "exposed; the paper reports 10% and 50%",
}
