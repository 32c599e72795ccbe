-- One row per release (undated ones last): its columns and its position in the timeline view,
-- the nodes of kb.timeline's graph.
SELECT r.id, r.name, r.date, r.date_precision, r.kind, r.access, r.parameters, r.summary,
       r.seed_position, t.position
FROM releases r LEFT JOIN timeline t ON t.id = r.id
ORDER BY t.position NULLS LAST, r.id
