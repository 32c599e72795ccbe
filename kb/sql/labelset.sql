-- The temporary view labelset over labelset_text: one row per task (line) with its fields
-- trimmed and typed: onet_code, task_id (NULL unless whole), statement, task_type, title, the
-- label columns {labels}, and for the checks: line, whole (Task ID is a whole number), the
-- Task ID as written.
CREATE OR REPLACE TEMP VIEW labelset AS
SELECT trim(code) AS onet_code,
       CASE WHEN whole THEN CAST(number AS INTEGER) END AS task_id,
       statement, nullif(task_type, '') AS task_type, trim(title) AS title, {labels},
       line, whole, task_id_text
FROM (
    SELECT *, coalesce(number = floor(number) AND abs(number) < 2147483648, false) AS whole
    FROM (
        SELECT coalesce(code, '') AS code, coalesce(task_id, '') AS task_id_text,
               TRY_CAST(task_id AS DOUBLE) AS number, coalesce(statement, '') AS statement,
               coalesce(task_type, '') AS task_type, coalesce(title, '') AS title, {labels},
               rowid + 2 AS line
        FROM labelset_text
    )
)
