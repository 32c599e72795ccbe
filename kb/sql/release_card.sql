-- The one row of release ? : its own columns, for its card.
SELECT id, name, date, date_precision, kind, access, parameters, summary, seed_position
FROM releases
WHERE id = ?
