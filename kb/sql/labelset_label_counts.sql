-- Adds to the temporary table labelset_label_counts the label counts of the built-in rater $rater
-- (label column {column}, a constant) per occupation and task type, straight from the label file
-- (the temporary table labelset_sorted): the rows the view task_label_counts gives once
-- task_labels and tasks are loaded from the same file, without joining every label to its task.
INSERT INTO labelset_label_counts
SELECT onet_code, $rater AS rater, task_type,
       count(*) FILTER (WHERE {column} = 'E1') AS e1,
       count(*) FILTER (WHERE {column} = 'E2') AS e2,
       count(*) AS n
FROM labelset_sorted
GROUP BY onet_code, task_type
