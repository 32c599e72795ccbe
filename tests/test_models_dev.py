"""models.dev: reading the TOML tree, inheritance through base_model, and the values kept.

Expected values are read here with tomllib from the mirror's files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kb.errors import KBError, ValidationError
from kb.releases import models_dev

MODELS_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "models-dev"

pytestmark = pytest.mark.skipif(not MODELS_DEV.is_dir(), reason="no models.dev mirror")


@pytest.fixture(scope="module")
def records() -> dict[str, models_dev.SourceRelease]:
    return models_dev.map_tree(*models_dev.read_tree(MODELS_DEV))


def _load(rel: str) -> dict[str, object]:
    return tomllib.loads((MODELS_DEV / rel).read_text(encoding="utf-8"))


def _values(record: models_dev.SourceRelease) -> dict[str, str]:
    return {v.attribute: v.value for v in record.values}


def test_one_record_per_model_id(records: dict[str, models_dev.SourceRelease]) -> None:
    ids = {
        "/".join(p.relative_to(MODELS_DEV / "models").parts)[:-5]
        for p in (MODELS_DEV / "models").rglob("*.toml")
    }
    for provider in (MODELS_DEV / "providers").iterdir():
        ids |= {
            provider.name + "/" + "/".join(p.relative_to(provider / "models").parts)[:-5]
            for p in (provider / "models").rglob("*.toml")
        }
    assert set(records) == ids


def test_gpt4_values(records: dict[str, models_dev.SourceRelease]) -> None:
    raw = _load("providers/openai/models/gpt-4.toml")
    gpt4 = records["openai/gpt-4"]
    values = _values(gpt4)
    assert gpt4.name == raw["name"] and gpt4.date == raw["release_date"]
    assert values["release_date"] == "2023-11-06"
    assert values["knowledge_cutoff"] == raw["knowledge"]
    assert float(values["price_input"]) == raw["cost"]["input"]  # type: ignore[index]
    assert float(values["price_output"]) == raw["cost"]["output"]  # type: ignore[index]
    assert int(values["context_window"]) == raw["limit"]["context"]  # type: ignore[index]
    assert int(values["output_limit"]) == raw["limit"]["output"]  # type: ignore[index]
    assert values["open_weights"] == "false" and gpt4.access == "api"
    assert gpt4.organisations == ("OpenAI",)
    assert gpt4.events[0].event == "api_available"


def test_provider_file_inherits_from_its_base_model(
    records: dict[str, models_dev.SourceRelease],
) -> None:
    served = _load("providers/openai/models/gpt-5.toml")
    base = _load("models/openai/gpt-5.toml")
    assert served["base_model"] == "openai/gpt-5" and "release_date" not in served
    values = _values(records["openai/gpt-5"])
    assert values["release_date"] == base["release_date"]
    assert int(values["context_window"]) == base["limit"]["context"]  # type: ignore[index]
    assert float(values["price_input"]) == served["cost"]["input"]  # type: ignore[index]


def test_open_weights_models_are_marked(records: dict[str, models_dev.SourceRelease]) -> None:
    open_files = [
        p
        for p in (MODELS_DEV / "models").rglob("*.toml")
        if tomllib.loads(p.read_text()).get("open_weights") is True
    ]
    served = {
        f"{provider.name}/{p.stem}"
        for provider in (MODELS_DEV / "providers").iterdir()
        for p in (provider / "models").glob("*.toml")
    }
    checked = 0
    for path in open_files:
        key = "/".join(path.relative_to(MODELS_DEV / "models").parts)[:-5]
        if key not in served:  # a provider file could override the flag
            assert records[key].access == "open_weights"
            checked += 1
    assert checked > 0


def test_placeholder_dates_are_not_dates(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "lab"
    folder.mkdir(parents=True)
    (folder / "old.toml").write_text('name = "Old"\nrelease_date = "1970-01-01"\n')
    record = models_dev.map_tree(*models_dev.read_tree(tmp_path))["lab/old"]
    assert record.date is None and record.kind == "external"


def test_bad_files_are_all_reported(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "lab"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text("name = \n")
    (folder / "dated.toml").write_text(
        'name = "X"\nrelease_date = "2024-02-30"\n[limit]\ncontext = "big"\n'
    )
    with pytest.raises(ValidationError) as caught:
        models_dev.read_tree(tmp_path)
    text = str(caught.value)
    assert "3 problems" in text
    assert "models/lab/broken.toml" in text and "is not valid TOML" in text
    assert "file: field 'release_date': '2024-02-30' is not a date" in text
    assert "file: field 'limit.context': 'big' is not a number" in text


def test_not_a_tree(tmp_path: Path) -> None:
    with pytest.raises(KBError, match=r"not a models\.dev tree"):
        models_dev.read_tree(tmp_path)
