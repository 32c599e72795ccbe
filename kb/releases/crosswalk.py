"""The crosswalk (data/crosswalk.yml): which names in other sources a curated release goes by.

A user-editable file, one entry per curated release id:

    gpt-4:
      epoch: GPT-4 (Mar 2023)          # the same release in Epoch's tables
      epoch_versions: GPT-4 (Jun 2023) # Epoch rows that are dated versions of it
      models.dev: openai/gpt-4

Applying it makes a model appear once: the curated record on top, each source's values kept
beside it and attributed. A name may be linked to one curated release only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from kb.errors import KBError, Problem, ValidationError
from kb.vocabulary import LIVING_SOURCES

CROSSWALK_FILE: Final = "crosswalk.yml"
OUTSIDE_SOURCES: Final = tuple(s for s in LIVING_SOURCES if s != "curated")
VERSIONS_SUFFIX: Final = "_versions"
Role = Literal["release", "version"]


@dataclass(frozen=True)
class Link:
    release_id: str  # a curated release
    source: str
    name: str  # the source's own name or id
    role: Role


@dataclass(frozen=True)
class Crosswalk:
    links: tuple[Link, ...] = ()

    def lookup(self, source: str) -> dict[str, Link]:
        """The links of one source, by the source's name."""
        return {link.name: link for link in self.links if link.source == source}

    def names(self, release_id: str, source: str) -> list[str]:
        return [x.name for x in self.links if x.release_id == release_id and x.source == source]


def read(data_dir: Path, curated_ids: Iterable[str] | None = None) -> Crosswalk:
    """The crosswalk in data_dir (empty if absent), checked against the curated ids if given."""
    path = Path(data_dir) / CROSSWALK_FILE
    if not path.is_file():
        return Crosswalk()
    name = f"{path.parent.name}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise KBError(
            f"{name} is not valid YAML: {str(exc).splitlines()[0]}",
            "Fix the file or restore it from git.",
        ) from None
    if not isinstance(data, dict):
        raise KBError(
            f"{name}: expected a mapping of curated release ids to their names",
            "See the comment at the top of the file for the layout.",
        )
    return parse(data, name, curated_ids)


def parse(
    data: Mapping[Any, Any], name: str, curated_ids: Iterable[str] | None = None
) -> Crosswalk:
    known = set(curated_ids) if curated_ids is not None else None
    fields = {*OUTSIDE_SOURCES, *(s + VERSIONS_SUFFIX for s in OUTSIDE_SOURCES)}
    problems: list[Problem] = []
    links: list[Link] = []
    owner: dict[tuple[str, str], str] = {}
    for release_id, entry in data.items():
        where = f"entry '{release_id}'"
        if known is not None and release_id not in known:
            problems.append(
                Problem(name, where, None, "names no curated release in data/releases/")
            )
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    name, where, None, f"must map sources ({', '.join(sorted(fields))}) to names"
                )
            )
            continue
        for field, value in entry.items():
            if field not in fields:
                problems.append(
                    Problem(
                        name,
                        where,
                        str(field),
                        f"is not a source (use {', '.join(sorted(fields))})",
                    )
                )
                continue
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(
                isinstance(n, str) and n.strip() for n in names
            ):
                problems.append(Problem(name, where, field, "must be a name or a list of names"))
                continue
            source = field.removesuffix(VERSIONS_SUFFIX)
            role: Role = "version" if field.endswith(VERSIONS_SUFFIX) else "release"
            for text in names:
                key = (source, text.strip())
                if key in owner and owner[key] != release_id:
                    problems.append(
                        Problem(name, where, field, f"'{text}' is already linked to '{owner[key]}'")
                    )
                    continue
                owner[key] = str(release_id)
                links.append(Link(str(release_id), source, text.strip(), role))
    if problems:
        raise ValidationError(problems, f"Fix {name} and try again.")
    return Crosswalk(tuple(links))


def unmatched(crosswalk: Crosswalk, available: Mapping[str, Iterable[str]]) -> list[Link]:
    """Links whose name is in none of the source's snapshots (renamed or dropped upstream)."""
    sets = {source: set(names) for source, names in available.items()}
    return [
        link
        for link in crosswalk.links
        if link.source in sets and link.name not in sets[link.source]
    ]
