"""The timeline's closed vocabularies: release kinds, relation types and modalities.

Each is a small fixed set with a one-line meaning. The store keeps them as tables (filled from
here at build time) and `releases.kind` repeats KINDS in a CHECK constraint, which a test keeps
in step with this module. Adding a value is a code change, reviewed like one.
"""

from __future__ import annotations

KINDS: dict[str, str] = {
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
RELATION_TYPES: dict[str, str] = {
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

MODALITIES: dict[str, str] = {
    "text": "natural-language text",
    "code": "source code",
    "image": "still images",
    "audio": "speech or other sound",
    "video": "moving images",
}

DATE_PRECISIONS = ("day", "month", "year")
