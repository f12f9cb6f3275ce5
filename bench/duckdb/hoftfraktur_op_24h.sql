-- hoftfraktur_op_24h: acute (planerad = false) inpatient episodes with main diagnosis S72.0-S72.2
-- (stored without the dot) and at least one hip-fracture operation in the same delivery; numerator:
-- the first such operation (by datumtid) at most 24 hours after admission. An operation without a
-- time still makes the episode part of the denominator (it cannot count as within 24 h).
-- scale: 1
-- standardise: none
WITH ops AS (
    SELECT region, period, kontakt_id, min(datumtid) AS first_op
    FROM atgarder
    WHERE kod IN ('NFB02', 'NFB12', 'NFJ49', 'NFJ59', 'NFJ69', 'NFJ79')
    GROUP BY region, period, kontakt_id
)
SELECT k.region, k.period, k.kon, k.alder,
       CASE WHEN o.first_op IS NOT NULL AND o.first_op - k.inskrivningsdatum <= 24 * 3600 THEN 1 ELSE 0 END AS n,
       1 AS d
FROM kontakter k
JOIN ops o ON o.region = k.region AND o.period = k.period AND o.kontakt_id = k.kontakt_id
WHERE k.vardform = 'SV' AND k.planerad = false
  AND (k.hdia LIKE 'S720%' OR k.hdia LIKE 'S721%' OR k.hdia LIKE 'S722%')
