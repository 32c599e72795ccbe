-- The temporary table oews_2021_rows: one employment row (vintage oews-2021) per line of
-- oews_2021_text, typed: a BLS number loses its thousands separators, '*' and '**' (suppressed)
-- become NULL, and a median wage of '#' (top-coded) becomes $top_coded with wage_topcoded.
CREATE OR REPLACE TEMP TABLE oews_2021_rows AS
SELECT 'oews-2021' AS vintage, trim(OCC_CODE) AS code, trim(OCC_TITLE) AS title,
       trim(O_GROUP) AS level,
       TRY_CAST(replace(TOT_EMP, ',', '') AS DOUBLE) AS employment,
       CASE WHEN trim(A_MEDIAN) = '#' THEN $top_coded
            ELSE TRY_CAST(replace(A_MEDIAN, ',', '') AS DOUBLE) END AS annual_wage,
       trim(A_MEDIAN) = '#' AS wage_topcoded,
       TRY_CAST(replace(A_MEAN, ',', '') AS DOUBLE) AS mean_wage,
       CAST(NULL AS VARCHAR) AS education
FROM oews_2021_text
ORDER BY line
