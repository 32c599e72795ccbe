-- Fills task_changes: one row per labelled task (tasks) with its fate in today's O*NET
-- (onet_tasks_current), as kb.exposure.onet_tasks.compare_tasks decides it: the same
-- (occupation, id) is kept_id; else the same statement (statement_key) in the same occupation,
-- else in any occupation (the first by code and id), is kept_statement; else dropped.
-- labelled_statement_keys (statement, statement_key) gives the labelled statements' keys.
INSERT INTO task_changes
WITH labelled AS (
    SELECT t.onet_code, t.task_id, k.statement_key
    FROM tasks t JOIN labelled_statement_keys k USING (statement)
),
today AS (
    SELECT onet_code, task_id, statement_key FROM onet_tasks_current WHERE onet_version = $version
),
same_occupation AS (
    SELECT onet_code, statement_key, min(task_id) AS task_id FROM today GROUP BY ALL
),
anywhere AS (
    SELECT DISTINCT ON (statement_key) statement_key, onet_code, task_id
    FROM today ORDER BY statement_key, onet_code, task_id
)
SELECT l.onet_code, l.task_id,
       CASE WHEN n.task_id IS NOT NULL THEN 'kept_id'
            WHEN s.task_id IS NOT NULL OR a.task_id IS NOT NULL THEN 'kept_statement'
            ELSE 'dropped' END AS status,
       CASE WHEN n.task_id IS NOT NULL THEN l.onet_code
            WHEN s.task_id IS NOT NULL THEN s.onet_code
            ELSE a.onet_code END AS current_onet_code,
       CASE WHEN n.task_id IS NOT NULL THEN l.task_id
            WHEN s.task_id IS NOT NULL THEN s.task_id
            ELSE a.task_id END AS current_task_id,
       coalesce(n.statement_key <> l.statement_key, false) AS statement_changed
FROM labelled l
LEFT JOIN today n ON n.onet_code = l.onet_code AND n.task_id = l.task_id
LEFT JOIN same_occupation s ON s.onet_code = l.onet_code AND s.statement_key = l.statement_key
LEFT JOIN anywhere a ON a.statement_key = l.statement_key
ORDER BY l.onet_code, l.task_id
