-- kpp_kostnad_per_drg_poang: inpatient (SV) episodes with a KPP cost and a DRG weight above zero;
-- per period, the 5 % most expensive episodes in the whole country are excluded: those whose
-- cumulative share in cost order (cume_dist, ties treated alike) exceeds 0.95.
-- Numerator: sum of KPP cost of inliers; denominator: sum of DRG weights.
-- scale: 1
-- standardise: none
WITH sv AS (
    SELECT region, period, kon, alder, kpp_kostnad, drg_vikt,
           cume_dist() OVER (PARTITION BY period ORDER BY kpp_kostnad) AS cd
    FROM kontakter
    WHERE vardform = 'SV' AND kpp_kostnad IS NOT NULL AND drg_vikt > 0
)
SELECT region, period, kon, alder, kpp_kostnad AS n, drg_vikt AS d
FROM sv
WHERE cd <= 0.95
