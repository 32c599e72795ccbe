-- One row: Spearman's rho between potential exposure ($rater, $measure, equal task weights) and
-- observed Claude usage (release $release) over the labelled O*NET occupations (usage 0 where
-- none of an occupation's tasks was observed), Pearson's r of the average ranks; and how many
-- occupations that is.
WITH pairs AS (
    SELECT exposure, usage_share FROM aei_exposure_usage
    WHERE release = $release AND rater = $rater AND measure = $measure
),
ranked AS (
    SELECT rank() OVER (ORDER BY exposure)
             + (count(*) OVER (PARTITION BY exposure) - 1) / 2.0 AS rx,
           rank() OVER (ORDER BY usage_share)
             + (count(*) OVER (PARTITION BY usage_share) - 1) / 2.0 AS ry
    FROM pairs
)
-- Summed in a fixed order: DuckDB's parallel corr() changes the last digits from run to run.
SELECT corr(rx, ry ORDER BY rx, ry), count(*) FROM ranked
