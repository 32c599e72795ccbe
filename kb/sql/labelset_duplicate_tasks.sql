-- One row per line (the first 50, in file order) that repeats an earlier line's occupation and
-- Task ID: the line, the Task ID and the O*NET-SOC code.
SELECT line, task_id, onet_code FROM (
    SELECT line, task_id, onet_code,
           row_number() OVER (PARTITION BY onet_code, task_id ORDER BY line) AS occurrence
    FROM labelset WHERE whole
)
WHERE occurrence > 1 ORDER BY line LIMIT 50
