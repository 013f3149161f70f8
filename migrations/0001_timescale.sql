-- History becomes a TimescaleDB hypertable where the extension can be installed; elsewhere it stays
-- the plain (pid, ts) table, and rollups use date_bin instead of time_bucket.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    PERFORM create_hypertable('history', 'ts', chunk_time_interval => INTERVAL '7 days', migrate_data => true);
  END IF;
END
$$;
