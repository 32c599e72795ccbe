-- One row per fact recorded with release ?, in the order its record lists them.
SELECT subject, attribute, value, unit, as_of, caveat, source_url
FROM facts
WHERE release_id = ?
ORDER BY position
