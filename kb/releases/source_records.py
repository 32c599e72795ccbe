"""What a living source says about a model, before it is merged with the curated timeline.

Each source module (kb.releases.epoch, kb.releases.models_dev) turns its files into these
records, keyed by the source's own name for the model (Epoch's `Model`, models.dev's id). The
merge (kb.releases.living) gives them release ids and attributes every value to its source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

MAX_ID: Final = 64
_NOT_ID = re.compile(r"[^a-z0-9.]+")
_RUNS = re.compile(r"[.-]{2,}")


@dataclass(frozen=True)
class SourceValue:
    """One attribute of a model as a source gives it, with its unit, doubt and citation."""

    attribute: str
    value: str
    unit: str | None = None
    caveat: str | None = None
    url: str | None = None
    table: str | None = None  # the source table it came from


@dataclass(frozen=True)
class SourceEvent:
    event: str  # a term of kb.vocabulary.DATE_EVENTS
    date: str  # YYYY-MM-DD, YYYY-MM or YYYY
    url: str | None = None
    note: str | None = None  # e.g. the dated version's id


@dataclass(frozen=True)
class SourceVersion:
    """A dated version of a model (an API snapshot such as gpt-4-0314)."""

    version_id: str
    model_key: str  # the source's name of the model it is a version of
    name: str
    date: str | None
    access: str | None = None
    capabilities_index: float | None = None
    capabilities_low: float | None = None
    capabilities_high: float | None = None
    table: str | None = None


@dataclass
class SourceRelease:
    """A model as one source describes it (several tables of the source merged)."""

    source: str
    key: str  # the source's own name or id for it
    name: str
    date: str | None = None
    kind: str = "model"
    organisations: tuple[str, ...] = ()
    access: str | None = None  # a term of kb.vocabulary.ACCESS_LEVELS
    modalities: tuple[str, ...] = ()
    summary: str | None = None
    parameters: str | None = None
    urls: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()  # keys of the same source this model was built from
    tables: tuple[str, ...] = ()
    values: list[SourceValue] = field(default_factory=list)
    events: list[SourceEvent] = field(default_factory=list)
    placeholder: bool = False  # named only as another model's base, not a record of its own

    def value(self, attribute: str) -> str | None:
        return next((v.value for v in self.values if v.attribute == attribute), None)


def slugify(name: str) -> str:
    """A release id from a name: 'GPT-4 (Mar 2023)' -> 'gpt-4-mar-2023', 'PointNet++' ->
    'pointnet-plus-plus'; '' when the name has no ASCII letter or digit."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("+", "-plus-")
    text = _RUNS.sub("-", _NOT_ID.sub("-", text)).strip(".-")
    if len(text) > MAX_ID:
        text = text[:MAX_ID].rstrip(".-")
    return text
