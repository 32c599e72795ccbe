-- One row per dated release matching the timeline filter (kb.timeline.TimelineFilter), each model
-- once, in date order: the release_overview view narrowed by the `$...` parameters (NULL or an
-- empty list: no narrowing on that field). Casts type the parameters when they are NULL or [].
SELECT id, name, date, date_precision, date_event, date_source, organisations,
       lead_organisation, kind, access, sources, frontier, open_weights, training_compute_flop,
       parameters, country
FROM release_overview
WHERE (CAST($since AS DATE) IS NULL OR date >= CAST($since AS DATE))
  AND (CAST($until AS DATE) IS NULL OR date <= CAST($until AS DATE))
  AND (len(CAST($organisations AS VARCHAR[])) = 0
       OR list_has_any(organisation_keys, CAST($organisations AS VARCHAR[])))
  AND (len(CAST($kinds AS VARCHAR[])) = 0 OR list_contains(CAST($kinds AS VARCHAR[]), kind))
  AND (len(CAST($sources AS VARCHAR[])) = 0
       OR list_has_any(source_list, CAST($sources AS VARCHAR[])))
  AND (CAST($frontier AS BOOLEAN) IS NULL OR frontier = CAST($frontier AS BOOLEAN))
  AND (CAST($open_weights AS BOOLEAN) IS NULL OR open_weights = CAST($open_weights AS BOOLEAN))
  AND (CAST($text AS VARCHAR) IS NULL
       OR contains(lower(name), CAST($text AS VARCHAR)) OR contains(id, CAST($text AS VARCHAR))
       OR contains(lower(coalesce(organisations, '')), CAST($text AS VARCHAR)))
ORDER BY date, id
