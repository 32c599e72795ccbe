-- One row per exposure source (a label set or a usage measure) with the release that produced
-- it (name and date, when a release did), oldest source first.
SELECT s.source_id, s.rater, s.measure, s.kind, s.level, s.produced_by_release,
       r.name AS release_name, r.date AS release_date, s.producer, s.method, s.date, s.date_note,
       s.period_start, s.period_end, s.published, s.citation, s.url, s.licence, s.note,
       s.origin, s.tasks_labelled
FROM exposure_sources s
LEFT JOIN releases r ON r.id = s.produced_by_release
ORDER BY s.date, s.source_id
