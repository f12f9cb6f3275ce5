-- utlokaliserade_per_100: sum of utlokaliserade over units and days / sum of staffed beds (disponibla), somatic care
-- (vardinriktning SOM), x 100. No sex or age.
-- scale: 100
-- standardise: none
SELECT region, period, CAST(NULL AS VARCHAR) AS kon, CAST(NULL AS INTEGER) AS alder,
       utlokaliserade AS n, disponibla AS d
FROM enhetsdagar
WHERE vardinriktning = 'SOM'
