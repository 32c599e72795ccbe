-- One row per release that release ? was built from (a lineage relation), with its name.
SELECT rr.target_id AS id, r.name, rr.type, rr.note, rr.caveat, rr.source_url
FROM release_relations rr
JOIN releases r ON r.id = rr.target_id
WHERE rr.source_id = ?
ORDER BY rr.target_id, rr.type
