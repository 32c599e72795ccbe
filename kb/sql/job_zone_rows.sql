-- The temporary table job_zone_rows: one row per line of occupations_onet_basic_skills.csv
-- ($path): line, the occupation title (trimmed), the Job Zone as written and as a number (NULL
-- unless a whole number 1-5).
CREATE OR REPLACE TEMP TABLE job_zone_rows AS
SELECT row_number() OVER () + 1 AS line, trim(coalesce(Occupation, '')) AS title,
       coalesce("Job Zone", '') AS job_zone_text,
       CASE WHEN TRY_CAST("Job Zone" AS DOUBLE) IN (1, 2, 3, 4, 5)
            THEN CAST(TRY_CAST("Job Zone" AS DOUBLE) AS INTEGER) END AS job_zone
FROM read_csv($path, header = true, all_varchar = true, quote = '"', escape = '"')
