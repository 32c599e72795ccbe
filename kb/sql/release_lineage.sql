-- One row per lineage relation of a release (source_id was built from target_id), for
-- reading releases back as records.
SELECT source_id, type, target_id, source_url, note, caveat
FROM release_relations
ORDER BY source_id, target_id, type
