-- One row per line (the first 50, in file order) whose label column {column} is missing or not
-- one of $labels: the line and the value as written.
SELECT line, {column} FROM labelset
WHERE {column} IS NULL OR NOT list_contains($labels::VARCHAR[], {column})
ORDER BY line LIMIT 50
