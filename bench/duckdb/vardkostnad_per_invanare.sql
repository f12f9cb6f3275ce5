-- vardkostnad_per_invanare: KPP cost (SV, OV, PV) of contacts with the region's residents (region of
-- hemkommun), whichever region delivered the care, per registered resident at month end; numerator rows
-- carry the contact's sex and age, denominator rows the person's sex and completed age at month end.
-- Directly standardised (sex x 10-year bands 0-9 ... 80-89, 90+) to Sweden's population of the month.
-- scale: 1
-- standardise: same_period
SELECT substr(hemkommun, 1, 2) AS region, period, kon, alder, coalesce(kpp_kostnad, 0) AS n, 0 AS d
FROM kontakter
WHERE vardform IN ('SV', 'OV', 'PV') AND hemkommun IS NOT NULL
UNION ALL
SELECT substr(p.folkbokforingskommun, 1, 2) AS region, p.period, p.kon,
       CAST(year(m.e) - year(p.fodelsedatum)
            - CASE WHEN month(p.fodelsedatum) * 100 + day(p.fodelsedatum) > month(m.e) * 100 + day(m.e)
                   THEN 1 ELSE 0 END AS INTEGER) AS alder,
       0 AS n, 1 AS d
FROM personer p
JOIN (SELECT DISTINCT period, month_end(period) AS e FROM personer) m ON m.period = p.period
WHERE p.avlidendatum IS NULL OR p.avlidendatum > m.e
