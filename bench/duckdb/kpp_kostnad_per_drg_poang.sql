-- kpp_kostnad_per_drg_poang: inpatient (SV) episodes with a KPP cost; per period, the 5 % most
-- expensive episodes in the whole country are excluded: an episode is an outlier when its rank by
-- cost, most expensive first, is at most 0.05 x the national number of episodes of the period
-- (so at most 5 % are excluded). Numerator: sum of KPP cost of inliers; denominator: sum of DRG weights.
-- scale: 1
-- standardise: none
WITH sv AS (
    SELECT region, period, kon, alder, kpp_kostnad, drg_vikt,
           row_number() OVER (PARTITION BY period ORDER BY kpp_kostnad DESC, region, kontakt_id) AS rank_desc,
           count(*) OVER (PARTITION BY period) AS n_period
    FROM kontakter
    WHERE vardform = 'SV' AND kpp_kostnad IS NOT NULL
)
SELECT region, period, kon, alder, kpp_kostnad AS n, coalesce(drg_vikt, 0) AS d
FROM sv
WHERE rank_desc > 0.05 * n_period
