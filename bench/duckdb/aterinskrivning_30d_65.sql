-- aterinskrivning_30d_65: inpatient discharges in the month, patients 65+, not discharged as deceased
-- (utskrivningssatt 4); numerator: the same patient has an unplanned (planerad = false) inpatient
-- admission in the same region 1-30 days after the day of discharge (any delivered month). Only
-- months whose follow-up lies inside the region's data: month end + 30 days + 30 more for the
-- readmission stay to end and be reported <= the end of the region's last delivered month.
-- scale: 1
-- standardise: none
WITH dis AS (
    SELECT region, period, kontakt_id, patient_pseudonym, kon, alder, day_of(utskrivningsdatum) AS dday
    FROM kontakter
    WHERE vardform = 'SV' AND alder >= 65 AND coalesce(utskrivningssatt, '') <> '4'
      AND month_end(period) + 60 <= (SELECT max(month_end(k2.period)) FROM kontakter k2
                                     WHERE k2.region = kontakter.region)
),
adm AS (
    SELECT DISTINCT region, patient_pseudonym, day_of(inskrivningsdatum) AS aday
    FROM kontakter WHERE vardform = 'SV' AND planerad = false
)
SELECT d.region, d.period, d.kon, d.alder,
       CASE WHEN EXISTS (SELECT 1 FROM adm a
                         WHERE a.region = d.region AND a.patient_pseudonym = d.patient_pseudonym
                           AND a.aday - d.dday BETWEEN 1 AND 30) THEN 1 ELSE 0 END AS n,
       1 AS d
FROM dis d
