-- Published strata of one indicator from the temp table `base` (region, period, kon, alder, n, d):
-- every region and Sweden (00, the sum of the regions) x sex (1, 2, alla) x age group
-- (0-19, 20-39, 40-64, 65-79, 80+, alla); value = numerator / denominator x scale; on the
-- (alla, alla) rows the age-sex standardised value over strata sex x 10-year band (0-9 ... 90+):
-- direct: DSR = sum(N_s x n_s / d_s) / sum(N_s) over all of Sweden's strata with N_s > 0 (a region
-- lacking one of them gets none), N_s = Sweden's denominator of the stratum in the same period
-- (standardise = same_period) or summed over all periods of the computation (standardise =
-- all_periods); indirect (standardise = indirect, used for shares): O/E x P with E = sum(d_s x X_s /
-- N_s), O = sum(n_s), P = sum(X_s) / sum(N_s) over Sweden's strata of the same period (X_s: Sweden's
-- numerator); none when E = 0 or the share would exceed 1.
-- Variables: getvariable('scale') (DOUBLE), getvariable('std') ('none' | 'same_period' | 'all_periods' | 'indirect').
WITH b AS (
    SELECT region, period,
           CASE WHEN kon IN ('1', '2') THEN kon END AS kon,
           alder,
           CASE WHEN alder IS NULL THEN NULL WHEN alder < 20 THEN '0-19' WHEN alder < 40 THEN '20-39'
                WHEN alder < 65 THEN '40-64' WHEN alder < 80 THEN '65-79' ELSE '80+' END AS ag,
           CAST(n AS DOUBLE) AS n, CAST(d AS DOUBLE) AS d
    FROM (SELECT region, period, kon, alder, sum(n) AS n, sum(d) AS d FROM base
          GROUP BY region, period, kon, alder) base
    WHERE region IN ('01', '03', '04', '05', '06', '07', '08', '09', '10', '12', '13', '14', '17', '18',
                     '19', '20', '21', '22', '23', '24', '25')
      AND period IS NOT NULL
),
bb AS (
    SELECT region, period, kon, alder, ag, n, d FROM b
    UNION ALL
    SELECT '00' AS region, period, kon, alder, ag, n, d FROM b
),
cells AS (
    SELECT region, period,
           CASE WHEN grouping(kon) = 1 THEN 'alla' ELSE kon END AS kon,
           CASE WHEN grouping(ag) = 1 THEN 'alla' ELSE ag END AS aldersgrupp,
           sum(n) AS numerator, sum(d) AS denominator
    FROM bb
    GROUP BY GROUPING SETS ((region, period, kon, ag), (region, period, kon), (region, period, ag), (region, period))
),
st AS (
    SELECT region, period, kon, greatest(0, least(alder, 90)) // 10 AS band, sum(n) AS n, sum(d) AS d
    FROM bb WHERE kon IS NOT NULL AND alder IS NOT NULL
    GROUP BY region, period, kon, band
),
ref AS (
    SELECT period, kon, band, d AS w FROM st
    WHERE region = '00' AND getvariable('std') = 'same_period'
    UNION ALL
    SELECT p.period, r.kon, r.band, r.w
    FROM (SELECT kon, band, sum(d) AS w FROM st WHERE region = '00' GROUP BY kon, band) r
    CROSS JOIN (SELECT DISTINCT period FROM st) p
    WHERE getvariable('std') = 'all_periods'
),
nref AS (
    SELECT period, count(*) AS strata FROM ref WHERE w > 0 GROUP BY period
),
direct AS (
    SELECT s.region, s.period, sum(r.w * s.n / s.d) / sum(r.w) * getvariable('scale') AS standardised
    FROM st s JOIN ref r ON r.period = s.period AND r.kon = s.kon AND r.band = s.band
    JOIN nref c ON c.period = s.period
    WHERE s.d > 0 AND r.w > 0
    GROUP BY s.region, s.period, c.strata
    HAVING sum(r.w) > 0 AND count(*) = c.strata
),
sw AS (
    SELECT period, kon, band, n AS x, d AS w FROM st WHERE region = '00' AND d > 0
),
oe AS (
    SELECT s.region, s.period, sum(s.n) AS o, sum(s.d * w.x / w.w) AS e
    FROM st s JOIN sw w ON w.period = s.period AND w.kon = s.kon AND w.band = s.band
    GROUP BY s.region, s.period
),
indirect AS (
    SELECT oe.region, oe.period, oe.o / oe.e * p.share * getvariable('scale') AS standardised
    FROM oe JOIN (SELECT period, sum(x) / sum(w) AS share FROM sw GROUP BY period) p ON p.period = oe.period
    WHERE getvariable('std') = 'indirect' AND oe.e > 0 AND oe.o / oe.e * p.share <= 1
),
stdz AS (
    SELECT region, period, standardised FROM direct WHERE getvariable('std') <> 'indirect'
    UNION ALL
    SELECT region, period, standardised FROM indirect
)
SELECT c.region, c.period, c.kon, c.aldersgrupp, c.numerator, c.denominator,
       CASE WHEN c.denominator > 0 THEN c.numerator / c.denominator * getvariable('scale') END AS value,
       CASE WHEN c.kon = 'alla' AND c.aldersgrupp = 'alla' THEN z.standardised END AS standardised
FROM cells c
LEFT JOIN stdz z ON z.region = c.region AND z.period = c.period
WHERE c.kon IS NOT NULL AND c.aldersgrupp IS NOT NULL
ORDER BY c.region, c.period, c.kon, c.aldersgrupp
