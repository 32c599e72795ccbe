-- One row per (parent, child) pair linked by lineage, with every relation type between them
-- joined by '+' (e.g. 'fine_tuned_from+trained_on_data_from').
SELECT target_id, source_id, string_agg(type, '+' ORDER BY type)
FROM release_relations
GROUP BY target_id, source_id
