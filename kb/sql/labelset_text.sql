-- The temporary table labelset_text: one row per line of full_labelset.tsv ($path), in file
-- order, every cell as text (nothing is lost before it is checked); {labels} are the label
-- columns of the built-in raters (constants). Its rowid + 2 is the line number.
CREATE OR REPLACE TEMP TABLE labelset_text AS
SELECT "O*NET-SOC Code" AS code, "Task ID" AS task_id, "Task" AS statement,
       "Task Type" AS task_type, "Title" AS title, {labels}
FROM read_csv($path, delim = '\t', quote = '"', escape = '"', header = true, all_varchar = true)
