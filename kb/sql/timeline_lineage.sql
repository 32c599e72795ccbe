-- One row per lineage relation, as a graph edge from the ancestor (parent) to the release
-- built from it (child).
SELECT target_id AS parent, source_id AS child, type, note, caveat, source_url
FROM release_relations
ORDER BY parent, child, type
