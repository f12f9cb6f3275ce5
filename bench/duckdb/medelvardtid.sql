-- medelvardtid: inpatient (SV) episodes ending in the month; length of stay = discharge day -
-- admission day, a same-day stay counts as 1 day. Value = mean.
-- scale: 1
-- standardise: none
SELECT region, period, kon, alder,
       greatest(1, day_of(utskrivningsdatum) - day_of(inskrivningsdatum)) AS n,
       1 AS d
FROM kontakter
WHERE vardform = 'SV'
