"""models.dev (MIT): the catalogue of served models, one TOML file per model.

A models.dev tree has provider-independent metadata in models/<lab>/<model>.toml and what a
provider serves in providers/<provider>/models/<model>.toml (plus providers/<p>/provider.toml).
A provider file may inherit from a metadata file through `base_model` (its own fields win). Each
model id (`openai/gpt-4`) becomes one record: release date, knowledge cut-off, limits, prices
per million tokens, open weights.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kb import dates
from kb.errors import KBError, Problem, ValidationError
from kb.releases.source_records import SourceEvent, SourceRelease, SourceValue

SOURCE: Final = "models.dev"
LICENCE: Final = "MIT"
UPSTREAM_URL: Final = "https://github.com/anomalyco/models.dev"
TABLE: Final = "models"
# The models.dev placeholder for an unknown date.
PLACEHOLDER_DATE: Final = "1970-01-01"
MODALITY_NAMES: Final[dict[str, str]] = {
    "text": "text",
    "image": "image",
    "audio": "audio",
    "video": "video",
    "pdf": "text",
}
# (section, key) -> (attribute, unit)
NUMBERS: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("limit", "context"): ("context_window", "tokens"),
    ("limit", "input"): ("input_limit", "tokens"),
    ("limit", "output"): ("output_limit", "tokens"),
    ("cost", "input"): ("price_input", "USD per million tokens"),
    ("cost", "output"): ("price_output", "USD per million tokens"),
    ("cost", "cache_read"): ("price_cache_read", "USD per million tokens"),
    ("cost", "cache_write"): ("price_cache_write", "USD per million tokens"),
    ("cost", "reasoning"): ("price_reasoning", "USD per million tokens"),
}
# Lab and provider folder names -> the organisation, spelled as Epoch AI spells it so that the
# two sources can be compared; unknown folders fall back to provider.toml's name or the folder.
ORGANISATIONS: Final[dict[str, str]] = {
    "alibaba": "Alibaba",
    "anthropic": "Anthropic",
    "cohere": "Cohere",
    "deepseek": "DeepSeek",
    "google": "Google DeepMind",
    "meta": "Meta AI",
    "minimax": "MiniMax",
    "mistral": "Mistral AI",
    "moonshotai": "Moonshot",
    "nvidia": "NVIDIA",
    "openai": "OpenAI",
    "perplexity": "Perplexity",
    "sakana": "Sakana AI",
    "sarvam": "Sarvam AI",
    "stepfun": "StepFun",
    "tencent": "Tencent",
    "xai": "xAI",
    "xiaomi": "Xiaomi Corp",
    "zhipuai": "Z.ai (Zhipu AI)",
    "deepreinforce": "DeepReinforce",
}
FLAGS: Final = ("open_weights", "reasoning", "tool_call", "attachment", "structured_output")


@dataclass(frozen=True)
class ModelFile:
    id: str  # 'openai/gpt-4'
    path: str  # relative to the tree
    data: dict[str, Any]
    provider: str | None  # set for providers/<p>/models/...


def is_tree(path: Path) -> bool:
    return path.is_dir() and ((path / "models").is_dir() or (path / "providers").is_dir())


def read_tree(root: Path) -> tuple[list[ModelFile], dict[str, str]]:
    """Every model file of a models.dev tree and the providers' display names; all problems
    (file, line, field) are reported together."""
    if not is_tree(root):
        raise KBError(
            f"{root}: not a models.dev tree (expected a models/ or providers/ folder)",
            "Give the folder that holds models/ and providers/.",
        )
    files: list[ModelFile] = []
    providers: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.toml")):
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, "file", None, f"is not valid TOML: {exc}"))
            continue
        if parts[0] == "providers" and len(parts) == 3 and parts[2] == "provider.toml":
            providers[parts[1]] = str(data.get("name") or parts[1])
            continue
        if parts[0] == "providers" and len(parts) >= 4 and parts[2] == "models":
            model_id, provider = f"{parts[1]}/{'/'.join(parts[3:])[:-5]}", parts[1]
        elif parts[0] == "models" and len(parts) >= 3:
            model_id, provider = "/".join(parts[1:])[:-5], None
        else:
            continue
        problems += _check(rel, data)
        files.append(ModelFile(model_id, rel, data, provider))
    if problems:
        raise ValidationError(problems, f"Fix the files above in {root} and retry.")
    return files, providers


def _check(rel: str, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for key in ("release_date", "last_updated", "knowledge"):
        value = data.get(key)
        if value is not None:
            try:
                dates.parse(str(value))
            except ValueError as exc:
                problems.append(Problem(rel, "file", key, str(exc)))
    for (section, key), _ in NUMBERS.items():
        value = (data.get(section) or {}).get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Problem(rel, "file", f"{section}.{key}", f"'{value}' is not a number"))
    if not isinstance(data.get("name", ""), str):
        problems.append(Problem(rel, "file", "name", "must be text"))
    return problems


def map_tree(files: list[ModelFile], providers: dict[str, str]) -> dict[str, SourceRelease]:
    """One record per model id; a provider file inherits from its base_model's metadata file."""
    metadata = {f.id: f.data for f in files if f.provider is None}
    served = {f.id: f for f in files if f.provider is not None}
    out: dict[str, SourceRelease] = {}
    for model_id in sorted(set(metadata) | set(served)):
        own = served.get(model_id)
        base_id = own.data.get("base_model") if own else None
        merged: dict[str, Any] = {}
        for layer in (
            metadata.get(str(base_id)) if base_id else None,
            metadata.get(model_id),
            own.data if own else None,
        ):
            if layer:
                for key, value in layer.items():
                    if isinstance(value, dict) and isinstance(merged.get(key), dict):
                        merged[key] = {**merged[key], **value}
                    else:
                        merged[key] = value
        provider = own.provider if own else None
        lab = model_id.split("/")[0]
        folder = provider or lab
        organisation = ORGANISATIONS.get(folder) or providers.get(folder) or folder
        out[model_id] = _release(model_id, merged, organisation, served=own is not None)
    return out


def _release(
    model_id: str, data: dict[str, Any], organisation: str, *, served: bool
) -> SourceRelease:
    url = f"https://models.dev/?search={model_id}"
    values: list[SourceValue] = []

    def add(attribute: str, value: Any, unit: str | None = None) -> None:
        if value is not None and value != "":
            text = str(value).lower() if isinstance(value, bool) else str(value)
            values.append(SourceValue(attribute, text, unit, None, url, TABLE))

    released = str(data.get("release_date") or "") or None
    if released == PLACEHOLDER_DATE:
        released = None
    add("release_date", released, "date")
    add("organisation", organisation)
    add("knowledge_cutoff", data.get("knowledge"), "date")
    add("last_updated", data.get("last_updated"), "date")
    add("family", data.get("family"))
    for (section, key), (attribute, unit) in NUMBERS.items():
        add(attribute, (data.get(section) or {}).get(key), unit)
    for flag in FLAGS:
        add(flag, data.get(flag))
    modalities = data.get("modalities") or {}
    add("input_modalities", "; ".join(modalities.get("input") or []))
    add("output_modalities", "; ".join(modalities.get("output") or []))
    open_weights = data.get("open_weights")
    events = (
        [SourceEvent("api_available" if served else "announced", released, url)] if released else []
    )
    return SourceRelease(
        source=SOURCE,
        key=model_id,
        name=str(data.get("name") or model_id),
        date=released,
        organisations=(organisation,),
        access="open_weights" if open_weights is True else "api" if served else None,
        modalities=tuple(
            dict.fromkeys(
                MODALITY_NAMES[m] for m in modalities.get("input") or [] if m in MODALITY_NAMES
            )
        ),
        urls=(url,),
        tables=(TABLE,),
        values=values,
        events=events,
        kind="model" if released else "external",
    )


def rows(records: dict[str, SourceRelease]) -> dict[str, dict[str, str | None]]:
    """Records as comparable rows (attribute -> value) for snapshot diffs."""
    out: dict[str, dict[str, str | None]] = {}
    for key, record in records.items():
        out[key] = {"name": record.name, **{v.attribute: v.value for v in record.values}}
    return out
