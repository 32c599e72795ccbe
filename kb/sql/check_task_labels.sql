-- The keys task_labels does not declare (it is loaded first and checked here: with a primary and
-- a foreign key, DuckDB checks every inserted row against two indexes, most of a large build's
-- time and memory). One row per problem, up to 50 of each kind, repeated labels first, then
-- labels of unknown tasks, then of unknown raters: onet_code, task_id, message. The labels of the
-- raters $skip are not checked (the build's built-in raters: loaded from one checked file that
-- also fills tasks and raters, so they hold the keys by construction).
SELECT onet_code, task_id, message FROM (
    (SELECT 1 AS kind, onet_code, task_id, rater,
            'rater ' || rater || ' labels it ' || count(*) || ' times' AS message
     FROM task_labels WHERE NOT list_contains($skip::VARCHAR[], rater)
     GROUP BY onet_code, task_id, rater HAVING count(*) > 1
     ORDER BY onet_code, task_id, rater LIMIT 50)
    UNION ALL
    (SELECT 2, l.onet_code, l.task_id, l.rater,
            'rater ' || l.rater || ' labels a task that is not in tasks'
     FROM task_labels l ANTI JOIN tasks t USING (onet_code, task_id)
     WHERE NOT list_contains($skip::VARCHAR[], l.rater)
     ORDER BY l.onet_code, l.task_id, l.rater LIMIT 50)
    UNION ALL
    (SELECT 3, l.onet_code, l.task_id, l.rater, 'rater ' || l.rater || ' is not in raters'
     FROM task_labels l ANTI JOIN raters r USING (rater)
     WHERE NOT list_contains($skip::VARCHAR[], l.rater)
     ORDER BY l.onet_code, l.task_id, l.rater LIMIT 50)
)
ORDER BY kind, onet_code, task_id, rater
