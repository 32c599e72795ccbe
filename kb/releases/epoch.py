"""Epoch AI's "Data on AI Models" (CC BY 4.0): recognise a table, check it, map every row.

Three tables are known: `notable` (notable_ai_models.csv), `large_scale`
(large_scale_ai_models.csv, not a subset of notable) and `benchmarked` (one row per dated model
version, e.g. gpt-4-0314). Rows of notable and large-scale with the same `Model` are one model;
a benchmarked row is a dated version of its `Model`. Every row is mapped; a row with a bad field
is reported (file, line, field) and nothing is taken in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kb import dates
from kb.errors import KBError, Problem, ValidationError, clip
from kb.releases.source_records import (
    SourceEvent,
    SourceRelease,
    SourceValue,
    SourceVersion,
    slugify,
)

SOURCE: Final = "epoch"
LICENCE: Final = "CC BY 4.0"
CREDIT: Final = "Data: Epoch AI (CC BY 4.0)"
HOME_URL: Final = "https://epoch.ai/data/ai-models"
UPSTREAM_URLS: Final[dict[str, str]] = {
    "notable": "https://epoch.ai/data/notable_ai_models.csv",
    "large_scale": "https://epoch.ai/data/large_scale_ai_models.csv",
    "benchmarked": "https://epoch.ai/benchmarks",
}
# Columns that identify a table (all must be present), in the order tables are tried.
SIGNATURES: Final[dict[str, tuple[str, ...]]] = {
    "benchmarked": ("Model", "id_model_version", "Version release date"),
    "notable": (
        "Model",
        "Organization",
        "Publication date",
        "Notability criteria",
        "Model accessibility",
        "Base model",
        "Confidence",
        "Link",
    ),
    "large_scale": (
        "Model",
        "Organization",
        "Publication date",
        "Training compute (FLOP)",
        "Base model",
        "Confidence",
        "Link",
    ),
}
FILE_NAMES: Final[dict[str, str]] = {
    "notable": "notable_ai_models",
    "large_scale": "large_scale_ai_models",
    "benchmarked": "benchmarked_models",
}
TABLE_ORDER: Final = ("notable", "large_scale", "benchmarked")  # first table wins a value

ACCESS: Final[dict[str, str]] = {
    "Open weights (unrestricted)": "open_weights",
    "Open weights (restricted use)": "open_weights",
    "Open weights (non-commercial)": "open_weights",
    "API access": "api",
    "Hosted access (no API)": "hosted",
    "Unreleased": "unreleased",
}
DOMAIN_MODALITIES: Final[dict[str, str]] = {
    "Language": "text",
    "Vision": "image",
    "Image generation": "image",
    "Speech": "audio",
    "Audio": "audio",
    "Video": "video",
    "3D modeling": "image",
}
# Numeric columns -> (attribute, unit, notes column). Values stay Epoch's text ('9.702e+24').
NUMBERS: Final[dict[str, tuple[str, str | None, str | None]]] = {
    "Parameters": ("parameters", "parameters", "Parameters notes"),
    "Training compute (FLOP)": ("training_compute", "FLOP", "Training compute notes"),
    "Training dataset size (total)": ("training_dataset_size", "datapoints", "Dataset size notes"),
    "(DEPRECATED) Training dataset size (datapoints)": (
        "training_dataset_size",
        "datapoints",
        "Dataset size notes",
    ),
    "Epochs": ("epochs", "epochs", None),
    "Training time (hours)": ("training_time", "hours", "Training time notes"),
    "Hardware quantity": ("hardware_quantity", "chips", None),
    "Hardware utilization (MFU)": ("hardware_utilization_mfu", "fraction", None),
    "Hardware utilization (HFU)": ("hardware_utilization_hfu", "fraction", None),
    "Training compute cost (2023 USD)": ("training_cost", "2023 USD", "Compute cost notes"),
    "Training compute cost (cloud)": ("training_cost_cloud", "USD", "Compute cost notes"),
    "Training compute cost (upfront)": ("training_cost_upfront", "USD", "Compute cost notes"),
    "Hardware acquisition cost": ("hardware_acquisition_cost", "USD", None),
    "Training power draw (W)": ("training_power_draw", "W", None),
    "Finetune compute (FLOP)": ("finetune_compute", "FLOP", "Finetune compute notes"),
    "Batch size": ("batch_size", "tokens or examples", "Batch size notes"),
    "Citations": ("citations", "citations", None),
}
# Descriptive columns -> attribute (text as Epoch gives it).
TEXTS: Final[dict[str, str]] = {
    "Domain": "domain",
    "Task": "task",
    "Country (of organization)": "country",
    "Notability criteria": "notability_criteria",
    "Organization categorization": "organisation_category",
    "Training dataset": "training_dataset",
    "Training hardware": "training_hardware",
    "Model accessibility": "accessibility",
    "Training code accessibility": "training_code_accessibility",
    "Inference code accessibility": "inference_code_accessibility",
    "Numerical format": "numerical_format",
    "Reference": "reference",
    "Base model": "base_model",
}
MAX_SUMMARY: Final = 1000
_URL = re.compile(r"https?://[^\s/]+\S*")


@dataclass
class EpochTable:
    """One Epoch file read and checked: its table, rows (column -> text) and their lines."""

    path: Path
    table: str
    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]  # the line each row starts on

    def by_key(self) -> dict[str, dict[str, str]]:
        """Rows keyed by their record name (Model; id_model_version for benchmarked)."""
        key = "id_model_version" if self.table == "benchmarked" else "Model"
        return {row[key]: row for row in self.rows}


def identify(path: Path, columns: Sequence[str]) -> str:
    """Which Epoch table a file is, from its header (the file name breaks ties); else KBError."""
    present = set(columns)
    named = next((t for t, stem in FILE_NAMES.items() if stem in path.name), None)
    matching = [t for t in SIGNATURES if present.issuperset(SIGNATURES[t])]
    if named and named in matching:
        return named
    if matching:
        return matching[0]
    expected = "; ".join(f"{t}: {', '.join(cols)}" for t, cols in SIGNATURES.items())
    if named:
        missing = [c for c in SIGNATURES[named] if c not in present]
        raise KBError(
            f"{path}: looks like Epoch's {named} table by its name, but lacks the "
            f"columns {', '.join(missing)}",
            f"Expected the header of one of Epoch's tables ({expected}).",
        )
    raise KBError(
        f"{path}: not a recognised Epoch AI table (header starts "
        f"{', '.join(list(columns)[:4]) or 'empty'})",
        f"Expected the header of one of Epoch's tables ({expected}).",
    )


def read_table(path: Path, display: str | None = None) -> EpochTable:
    """Read and check one Epoch CSV; every problem is listed (file, line, field) at once."""
    name = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise KBError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise KBError(
            f"{name}: is not UTF-8 text (offset {exc.start})",
            "Epoch's CSV files are UTF-8; download the file again.",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise KBError(f"{name}: is empty (expected an Epoch AI table)") from None
    table = identify(Path(name), header)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    try:
        for values in reader:
            if len(values) != len(header) and any(v.strip() for v in values):
                problems.append(
                    Problem(
                        name,
                        f"line {start}",
                        None,
                        f"has {len(values)} fields; the header has {len(header)}",
                    )
                )
            elif any(v.strip() for v in values):
                rows.append({c: v.strip() for c, v in zip(header, values, strict=True)})
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(name, f"line {reader.line_num}", None, f"is not valid CSV: {exc}"))
    result = EpochTable(Path(name), table, header, rows, lines)
    problems += check(result)
    if problems:
        raise ValidationError(problems, f"Fix {name} (or download it again) and retry.")
    return result


def check(table: EpochTable) -> list[Problem]:
    """Field checks: names present and unique, dates, numbers, accessibility, links."""
    problems: list[Problem] = []
    name = str(table.path)
    key_column = "id_model_version" if table.table == "benchmarked" else "Model"
    seen: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines, strict=True):
        where = f"line {line}"
        key = row.get(key_column, "")
        if not key:
            problems.append(Problem(name, where, key_column, "is empty"))
        elif key in seen:
            problems.append(
                Problem(name, where, key_column, f"'{clip(key, 60)}' is also on line {seen[key]}")
            )
        else:
            seen[key] = line
        for column in ("Publication date", "Version release date"):
            value = row.get(column, "")
            if value:
                try:
                    dates.parse(value)
                except ValueError as exc:
                    problems.append(Problem(name, where, column, str(exc)))
        for column in NUMBERS:
            value = row.get(column, "")
            if value and not _is_number(value):
                problems.append(
                    Problem(name, where, column, f"'{clip(value, 40)}' is not a number")
                )
        for column in ("eci", "eci_ci_low", "eci_ci_high"):
            value = row.get(column, "")
            if value and not _is_number(value):
                problems.append(
                    Problem(name, where, column, f"'{clip(value, 40)}' is not a number")
                )
        access = row.get("Model accessibility", "")
        if access and access not in ACCESS:
            problems.append(
                Problem(
                    name,
                    where,
                    "Model accessibility",
                    f"'{clip(access, 40)}' is not one of {', '.join(ACCESS)}",
                )
            )
    return problems


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _url(text: str) -> str | None:
    """The first http(s) address in a Link cell (Epoch sometimes lists several)."""
    for part in re.split(r"[\s,]+", text):
        if _URL.fullmatch(part):
            return part
    return None


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def map_tables(
    tables: Iterable[EpochTable],
) -> tuple[dict[str, SourceRelease], list[SourceVersion]]:
    """Every row of the given tables as models (keyed by Epoch's Model) and dated versions.

    Notable and large-scale rows of one Model merge, the earlier table in TABLE_ORDER giving a
    value both have; a benchmarked row adds a version, and its model when no other table has it.
    Bases that are no row of any table become placeholder models.
    """
    ordered = sorted(tables, key=lambda t: TABLE_ORDER.index(t.table))
    models: dict[str, SourceRelease] = {}
    versions: list[SourceVersion] = []
    slugs: dict[str, list[str]] = {}
    for table in ordered:
        if table.table == "benchmarked":
            for key in models:
                slugs.setdefault(slugify(key), []).append(key)
        for row in table.rows:
            if table.table == "benchmarked":
                if not row.get("Model"):
                    # A version without its model: the one model whose name it spells, else itself.
                    same = slugs.get(slugify(row["id_model_version"]), [])
                    row = {**row, "Model": same[0] if len(same) == 1 else row["id_model_version"]}
                versions.append(_version(row))
            _merge_row(models, row, table.table)
    for model in list(models.values()):
        for base in model.bases:
            if base not in models:
                models[base] = SourceRelease(
                    SOURCE,
                    base,
                    base,
                    kind="external",
                    placeholder=True,
                    tables=(),
                    summary="Named as a base model in Epoch AI's data, not a row of it.",
                )
    return models, versions


def _version(row: dict[str, str]) -> SourceVersion:
    def number(column: str) -> float | None:
        value = row.get(column, "")
        return float(value) if value else None

    return SourceVersion(
        version_id=row["id_model_version"],
        model_key=model_key(row),
        name=row.get("Display name") or row["id_model_version"],
        date=row.get("Version release date") or None,
        access=ACCESS.get(row.get("Model accessibility", "")),
        capabilities_index=number("eci"),
        capabilities_low=number("eci_ci_low"),
        capabilities_high=number("eci_ci_high"),
        table="benchmarked",
    )


def model_key(row: dict[str, str]) -> str:
    """The model a row is about: `Model`; a benchmarked version without one stands for itself."""
    return row.get("Model") or row["id_model_version"]


def _merge_row(models: dict[str, SourceRelease], row: dict[str, str], table: str) -> None:
    key = model_key(row)
    model = models.get(key)
    if model is None:
        model = models[key] = SourceRelease(SOURCE, key, key)
    model.tables = (*model.tables, table)
    have = {v.attribute for v in model.values}
    url = _url(row.get("Link", ""))
    confidence = row.get("Confidence") or None

    def add(attribute: str, value: str, unit: str | None = None, caveat: str | None = None) -> None:
        if value and attribute not in have:
            model.values.append(SourceValue(attribute, value, unit, caveat, url, table))
            have.add(attribute)

    published = row.get("Publication date", "")
    if published and model.date is None:
        model.date = published
        model.events.append(SourceEvent("announced", published, url))
    add("release_date", published, "date")
    if not model.organisations:
        model.organisations = _split(row.get("Organization", ""))
    add("organisations", "; ".join(_split(row.get("Organization", ""))))
    if model.organisations:
        add("organisation", model.organisations[0])
    access = ACCESS.get(row.get("Model accessibility", ""))
    if model.access is None and access:
        model.access = access
    add("access", access or "")
    if table == "benchmarked":
        return  # a version row says little about the model beyond the above and its compute
    if model.kind == "model" and access == "unreleased":
        model.kind = "paper"
    if not model.modalities:
        model.modalities = tuple(
            dict.fromkeys(
                DOMAIN_MODALITIES[d]
                for d in _split(row.get("Domain", ""))
                if d in DOMAIN_MODALITIES
            )
        )
    if model.summary is None and row.get("Abstract"):
        model.summary = clip(row["Abstract"], MAX_SUMMARY)
    if model.parameters is None and row.get("Parameters"):
        model.parameters = row["Parameters"]
    if not model.bases:
        model.bases = tuple(b for b in _split(row.get("Base model", "")) if b != key)
    if url and url not in model.urls:
        model.urls = (*model.urls, url)
    for column, attribute in TEXTS.items():
        add(attribute, row.get(column, ""))
    add("frontier", "true" if row.get("Frontier model") == "True" else "")
    add("open_weights", {"Yes": "true", "No": "false"}.get(row.get("Open model weights?", ""), ""))
    for column, (attribute, unit, notes_column) in NUMBERS.items():
        value = row.get(column, "").replace(",", "")
        if not value or attribute in have:
            continue  # add() would skip it: spare building the caveat (most cells are empty)
        notes = row.get(notes_column, "") if notes_column else ""
        caveat = "; ".join(
            p
            for p in (f"Epoch confidence: {confidence}" if confidence else "", clip(notes, 300))
            if p
        )
        add(attribute, value, unit, caveat or None)


def version_rows(versions: Sequence[SourceVersion]) -> dict[str, dict[str, str | None]]:
    """Versions as comparable rows (for diffs of the benchmarked table)."""
    return {
        v.version_id: {"model": v.model_key, "date": v.date, "access": v.access} for v in versions
    }
