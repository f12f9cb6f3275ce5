-- ami_30d_dodlighet: inpatient (SV) episodes with main diagnosis I21*, patients 20+, reported in the
-- month they ended (= the delivery period); numerator: the patient died (population register, any
-- month's extract) at most 30 days after the day of admission. Only months whose 30-day follow-up
-- lies within the population extracts (month end + 30 days <= the last extract's month end).
-- scale: 1
-- standardise: indirect
WITH deaths AS (
    SELECT person_pseudonym, min(avlidendatum) AS death
    FROM personer WHERE avlidendatum IS NOT NULL GROUP BY person_pseudonym
)
SELECT k.region, k.period, k.kon, k.alder,
       CASE WHEN x.death IS NOT NULL AND x.death - day_of(k.inskrivningsdatum) <= 30 THEN 1 ELSE 0 END AS n,
       1 AS d
FROM kontakter k
LEFT JOIN deaths x ON x.person_pseudonym = k.patient_pseudonym
WHERE k.vardform = 'SV' AND k.hdia LIKE 'I21%' AND k.alder >= 20
  AND month_end(k.period) + 30 <= (SELECT max(month_end(period)) FROM personer)
