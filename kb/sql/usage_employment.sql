-- One row per occupation code of the employment vintage $employment, at its finest level, with
-- its employment (OEWS lists 7 combined codes such as 13-1020 both as 'broad' and 'detailed';
-- the projections' occupations are 'line item' rows).
SELECT code, employment FROM employment
WHERE vintage = $employment AND level IN ('detailed', 'line item')
