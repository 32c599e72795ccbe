-- One row per line (the first 50, in file order) whose Task Type is neither Core nor
-- Supplemental nor empty: the line and the value as written.
SELECT line, coalesce(task_type, '') FROM labelset
WHERE task_type NOT IN ('Core', 'Supplemental') ORDER BY line LIMIT 50
