-- One row: Spearman's rho between exposure and usage over the SOC codes of usage_comparison.sql
-- that have an exposure (Pearson's r of the average ranks: ties share their mean rank), and
-- how many codes that is.
WITH pairs AS (
    SELECT exposure, usage_score FROM ({sql:usage_comparison})
    WHERE exposure IS NOT NULL
),
ranked AS (
    SELECT rank() OVER (ORDER BY exposure)
             + (count(*) OVER (PARTITION BY exposure) - 1) / 2.0 AS rx,
           rank() OVER (ORDER BY usage_score)
             + (count(*) OVER (PARTITION BY usage_score) - 1) / 2.0 AS ry
    FROM pairs
)
-- Summed in a fixed order: DuckDB's parallel corr() changes the last digits from run to run.
SELECT corr(rx, ry ORDER BY rx, ry), count(*) FROM ranked
