//! The catalogue schema. Plain SQL that runs on SQLite and PostgreSQL alike (text timestamps in
//! RFC 3339 UTC, integer booleans); applied in one transaction by [`crate::Hub::init`].

/// Schema version written to `hub_meta`.
/// 2: the audit log is keyed (HMAC) and checkpointed outside the catalogue; `hub_meta` holds the
/// hub id and the audit key's fingerprint; inserts into the log must be the next sequence number;
/// status `held` (a re-delivery waiting for confirmation). Catalogues of version 1 are refused.
pub(crate) const SCHEMA_VERSION: &str = "2";

/// DDL statements, in order.
pub(crate) const DDL: &[&str] = &[
    "CREATE TABLE hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL,
        region TEXT NOT NULL,
        period TEXT NOT NULL,
        version INTEGER NOT NULL,
        spec_version TEXT NOT NULL,
        synthetic INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'accepted_with_warnings', 'rejected', 'held')),
        received_at TEXT NOT NULL,
        published_at TEXT,
        superseded_at TEXT,
        superseded_by TEXT,
        gc_at TEXT,
        manifest_sha256 TEXT NOT NULL,
        key_version INTEGER,
        rows_received INTEGER NOT NULL,
        rows_published INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        warnings INTEGER NOT NULL,
        lake_path TEXT,
        report_json TEXT NOT NULL,
        UNIQUE (collection, region, period, version)
    )",
    "CREATE INDEX deliveries_by_key ON deliveries (collection, region, period)",
    "CREATE TABLE delivery_files (
        delivery_id TEXT NOT NULL REFERENCES deliveries (id),
        table_name TEXT NOT NULL,
        path TEXT NOT NULL,
        rows INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (delivery_id, table_name)
    )",
    "CREATE TABLE current_deliveries (
        collection TEXT NOT NULL,
        region TEXT NOT NULL,
        period TEXT NOT NULL,
        delivery_id TEXT NOT NULL REFERENCES deliveries (id),
        PRIMARY KEY (collection, region, period)
    )",
    "CREATE TABLE key_versions (
        version INTEGER PRIMARY KEY,
        registered_at TEXT NOT NULL,
        fingerprint TEXT NOT NULL
    )",
    "CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    // Runs before conflict resolution, so `INSERT OR REPLACE` of an existing entry is refused too
    // (its implicit delete fires no delete trigger).
    "CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
];
