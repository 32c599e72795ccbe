-- One row per task of the occupation $onet_code and rater who labelled it (a task nobody
-- labelled: one row with NULL rater and label), core tasks first.
SELECT t.task_id, t.statement, t.task_type, l.rater, l.label
FROM tasks t LEFT JOIN task_labels l USING (onet_code, task_id)
WHERE t.onet_code = $onet_code
ORDER BY t.task_type NULLS LAST, t.task_id
