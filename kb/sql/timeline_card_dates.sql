-- One row per dated event of release $release_id with its source (the release_events view), for
-- its card: event, date, precision, source, the source's name for it and the detail (a curated
-- fact's attribute or a version's id); in date order, the first public date first.
SELECT event, date, date_precision, source, source_key, detail
FROM release_events
WHERE release_id = $release_id
ORDER BY date,
         list_position(['announced', 'paper', 'weights_released', 'api_available',
                        'product_available', 'dated_version'], event),
         list_position(['curated', 'epoch', 'models.dev'], source), source_key, detail
