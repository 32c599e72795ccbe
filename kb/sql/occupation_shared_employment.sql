-- One row per employment recipe for the occupation $onet_code: how many labelled O*NET
-- occupations share the employment it shows (OEWS recipes: the same unit; 'paper': the same NEM
-- occupation, whose employment the paper's recipe counts once for each of them).
SELECT u.employment_recipe,
       CASE WHEN u.employment_recipe = 'paper' THEN (
                SELECT count(*) FROM onet_nem_crosswalk c
                JOIN occupations o ON o.onet_code = c.onet_code
                WHERE c.nem_title = (SELECT nem_title FROM onet_nem_crosswalk
                                     WHERE onet_code = $onet_code))
            ELSE (SELECT count(*) FROM occupation_units v
                  WHERE v.employment_recipe = u.employment_recipe AND v.unit_code = u.unit_code)
       END AS shared_by
FROM occupation_units u
WHERE u.onet_code = $onet_code AND u.employment IS NOT NULL
ORDER BY u.employment_recipe
