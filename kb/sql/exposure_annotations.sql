-- One row per exposure source produced by a release: where to annotate the timeline, with a
-- short label for the chart ("task labels: rater gpt4 (2023-03-17)").
SELECT s.produced_by_release AS release_id, r.name AS release_name, r.date AS release_date,
       s.source_id, coalesce(s.rater, s.measure) AS measure, s.kind, s.date,
       CASE s.kind WHEN 'usage_log' THEN 'observed usage: ' || s.measure
                   ELSE 'task labels: rater ' || s.rater END
         || ' (' || strftime(s.date, '%Y-%m-%d') || ')' AS label,
       s.date_note AS note
FROM exposure_sources s
JOIN releases r ON r.id = s.produced_by_release
ORDER BY r.date, s.date, s.source_id
