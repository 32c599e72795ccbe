-- The temporary table reference_exposure_rows: occ_level.csv ($path) in long form, one row per
-- occupation and exposure column {columns} (constants): the file's row number (from 0),
-- onet_code, the column, its value as written and as a number (NULL unless a number). The
-- column's prefix names the rater and its suffix the measure (the caller maps both).
CREATE OR REPLACE TEMP TABLE reference_exposure_rows AS
WITH wide AS (
    SELECT row_number() OVER () - 1 AS row_number, "O*NET-SOC Code", {columns}
    FROM read_csv($path, header = true, all_varchar = true, quote = '"', escape = '"')
)
SELECT row_number, trim(coalesce("O*NET-SOC Code", '')) AS onet_code, "column", text,
       TRY_CAST(text AS DOUBLE) AS exposure
FROM wide UNPIVOT INCLUDE NULLS (text FOR "column" IN ({columns}))
