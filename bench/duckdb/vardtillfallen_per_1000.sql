-- vardtillfallen_per_1000: inpatient (SV) episodes ending in the month of the region's residents
-- (region of hemkommun, wherever treated) per 1 000 registered residents at month end.
-- Directly standardised (sex x 10-year bands 0-9 ... 80-89, 90+) to Sweden's population of the month.
-- scale: 1000
-- standardise: same_period
SELECT substr(hemkommun, 1, 2) AS region, period, kon, alder, 1 AS n, 0 AS d
FROM kontakter
WHERE vardform = 'SV' AND hemkommun IS NOT NULL
UNION ALL
SELECT substr(p.folkbokforingskommun, 1, 2) AS region, p.period, p.kon,
       CAST(year(m.e) - year(p.fodelsedatum)
            - CASE WHEN month(p.fodelsedatum) * 100 + day(p.fodelsedatum) > month(m.e) * 100 + day(m.e)
                   THEN 1 ELSE 0 END AS INTEGER) AS alder,
       0 AS n, 1 AS d
FROM personer p
JOIN (SELECT DISTINCT period, month_end(period) AS e FROM personer) m ON m.period = p.period
WHERE p.avlidendatum IS NULL OR p.avlidendatum > m.e
