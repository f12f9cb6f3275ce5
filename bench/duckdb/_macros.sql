-- Helpers shared by the indicator queries (loaded once per DuckDB connection by bench/duckdb_indicators.py).
-- The lake stores datetimes as INT64 seconds of naive wall-clock time (Arrow Timestamp(Second, None)).
CREATE OR REPLACE MACRO ts(x) AS make_timestamp(CAST(x AS BIGINT) * 1000000);
CREATE OR REPLACE MACRO day_of(x) AS CAST(make_timestamp(CAST(x AS BIGINT) * 1000000) AS DATE);
CREATE OR REPLACE MACRO month_end(p) AS CAST(CAST(p || '-01' AS DATE) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE);
