-- The temporary table oews_2021_text: one row per line of national_May2021_dl.csv ($path), in
-- file order, the columns the build uses as text (empty cells as ''); line is the file's line
-- number (header = 1). {columns} are the CSV's column names the build needs (constants).
CREATE OR REPLACE TEMP TABLE oews_2021_text AS
SELECT row_number() OVER () + 1 AS line, {columns}
FROM read_csv($path, header = true, all_varchar = true, quote = '"', escape = '"')
