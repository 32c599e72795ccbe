-- Fills reference_occupation_exposure from the temporary table reference_exposure_rows: one row
-- per occupation, rater and measure; $columns lists occ_level.csv's exposure columns and
-- $raters / $measures, in the same order, the rater and measure each one holds.
INSERT INTO reference_occupation_exposure
SELECT onet_code, ($raters::VARCHAR[])[list_position($columns::VARCHAR[], "column")],
       ($measures::VARCHAR[])[list_position($columns::VARCHAR[], "column")], exposure
FROM reference_exposure_rows
ORDER BY ALL
