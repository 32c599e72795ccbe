-- One row per release: its own columns (not organisations, modalities, sources, relations
-- or facts, which kb/sql/release_*.sql read), in id order.
SELECT id, name, date, date_precision, kind, access, parameters, summary, seed_position
FROM releases ORDER BY id
