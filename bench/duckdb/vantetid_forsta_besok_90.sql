-- vantetid_forsta_besok_90: completed cases (status G, vantetyp FB) in the month, deviation reason not PvV or MoV;
-- numerator: genomford_datum - startdatum <= 90 calendar days.
-- scale: 1
-- standardise: none
SELECT region, period, kon, alder,
       CASE WHEN genomford_datum - startdatum <= 90 THEN 1 ELSE 0 END AS n,
       1 AS d
FROM arenden
WHERE status = 'G' AND vantetyp = 'FB' AND (avvikelseorsak IS NULL OR avvikelseorsak NOT IN ('PvV', 'MoV'))
