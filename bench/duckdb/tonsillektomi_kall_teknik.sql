-- tonsillektomi_kall_teknik: procedures (atgarder rows) coded EMB10 or EMB15; numerator EMB10.
-- Sex and age from the procedure's contact in the same delivery.
-- scale: 1
-- standardise: none
SELECT a.region, a.period, k.kon, k.alder,
       CASE WHEN a.kod = 'EMB10' THEN 1 ELSE 0 END AS n,
       1 AS d
FROM atgarder a
LEFT JOIN kontakter k ON k.region = a.region AND k.period = a.period AND k.kontakt_id = a.kontakt_id
WHERE a.kod IN ('EMB10', 'EMB15')
