-- Helpers shared by the indicator queries (loaded once per DuckDB connection by bench/duckdb_indicators.py).
-- The lake stores datetimes as Parquet TIMESTAMP(MILLIS) of naive wall-clock time (Arrow
-- Timestamp(Millisecond, None)); DuckDB reads them as TIMESTAMP (issue 17).
CREATE OR REPLACE MACRO ts(x) AS CAST(x AS TIMESTAMP);
CREATE OR REPLACE MACRO day_of(x) AS CAST(x AS DATE);
CREATE OR REPLACE MACRO month_end(p) AS CAST(CAST(p || '-01' AS DATE) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE);
