-- One row per dated release in timeline order (the `timeline` view), for tables and JSON.
SELECT position, id, name, date, date_precision, kind, lead_organisation, organisations,
       modalities, seed_position
FROM timeline
ORDER BY position
