-- vantande_over_90: cases waiting at month end (status V), both waiting types, deviation reason not
-- PvV or MoV; numerator: (last day of the month - startdatum) > 90 days.
-- scale: 1
-- standardise: none
SELECT region, period, kon, alder,
       CASE WHEN month_end(period) - startdatum > 90 THEN 1 ELSE 0 END AS n,
       1 AS d
FROM arenden
WHERE status = 'V' AND (avvikelseorsak IS NULL OR avvikelseorsak NOT IN ('PvV', 'MoV'))
