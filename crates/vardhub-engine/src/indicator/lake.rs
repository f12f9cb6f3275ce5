//! The lake as SQL tables of one snapshot: one listing table per collection and table, in a
//! schema named after the collection (`vardkontakter.kontakter`), and under the bare table name
//! too where no other collection has a table of that name (`kontakter`). Two collections may
//! both have a table called `personer`: then only the qualified names exist, and a query must
//! say which it means. A table's files may come from several versions of its specification:
//! their schemas are merged (a column a file lacks reads as null).

use super::compute::ComputeError;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::SessionContext;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use vardhub_store::{PublishedDelivery, Snapshot};

/// Register the snapshot's files in a new session; returns the session and every name a table
/// can be queried by (`collection.table`, and `table` where unambiguous).
pub async fn session(
    snapshot: &Snapshot,
) -> Result<(SessionContext, BTreeSet<String>), ComputeError> {
    session_where(snapshot, |_, _| true).await
}

/// As [`session`], with only the delivered tables `keep(table, delivery)` accepts (a table
/// without any accepted file is not registered).
pub async fn session_where(
    snapshot: &Snapshot,
    keep: impl Fn(&str, &PublishedDelivery) -> bool,
) -> Result<(SessionContext, BTreeSet<String>), ComputeError> {
    let ctx = SessionContext::new();
    let by_table = files_by_table(snapshot, keep);
    // Bare names as the whole snapshot has them, whatever `keep` leaves out.
    let collections_of = collections_per_table(&files_by_table(snapshot, |_, _| true));
    let catalog_name = ctx
        .state()
        .config()
        .options()
        .catalog
        .default_catalog
        .clone();
    let catalog = ctx
        .catalog(&catalog_name)
        .expect("a session has its default catalog");
    let mut registered = BTreeSet::new();
    for ((collection, table), files) in &by_table {
        let reg = |source| ComputeError::Register {
            table: format!("{collection}.{table}"),
            source,
        };
        let urls = files
            .iter()
            .map(ListingTableUrl::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(reg)?;
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .infer_schema(&ctx.state())
            .await
            .map_err(reg)?;
        let provider = Arc::new(ListingTable::try_new(config).map_err(reg)?);
        if catalog.schema(collection).is_none() {
            catalog
                .register_schema(collection, Arc::new(MemorySchemaProvider::new()))
                .map_err(reg)?;
        }
        ctx.register_table(
            TableReference::partial(collection.as_str(), table.as_str()),
            provider.clone(),
        )
        .map_err(reg)?;
        registered.insert(format!("{collection}.{table}"));
        if collections_of[table] == 1 {
            ctx.register_table(table.as_str(), provider).map_err(reg)?;
            registered.insert(table.clone());
        }
    }
    Ok((ctx, registered))
}

/// The files of each (collection, table) that `keep` accepts.
fn files_by_table(
    snapshot: &Snapshot,
    keep: impl Fn(&str, &PublishedDelivery) -> bool,
) -> BTreeMap<(String, String), Vec<String>> {
    let mut by_table: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for d in &snapshot.deliveries {
        for f in d.files.iter().filter(|f| keep(&f.table, d)) {
            by_table
                .entry((d.collection.clone(), f.table.clone()))
                .or_default()
                .push(f.path.display().to_string());
        }
    }
    by_table
}

/// How many collections have a table of each name.
fn collections_per_table(
    by_table: &BTreeMap<(String, String), Vec<String>>,
) -> BTreeMap<String, usize> {
    let mut collections_of = BTreeMap::new();
    for (_, table) in by_table.keys() {
        *collections_of.entry(table.clone()).or_default() += 1;
    }
    collections_of
}

/// Every name a table of the snapshot can be queried by (as [`session`] registers them),
/// without opening a file.
pub fn table_names(snapshot: &Snapshot) -> BTreeSet<String> {
    let by_table = files_by_table(snapshot, |_, _| true);
    let collections_of = collections_per_table(&by_table);
    let mut names = BTreeSet::new();
    for (collection, table) in by_table.keys() {
        names.insert(format!("{collection}.{table}"));
        if collections_of[table] == 1 {
            names.insert(table.clone());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;
    use vardhub_store::PublishedFile;

    fn parquet(path: &std::path::Path, values: &[i64]) {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int64Array::from(values.to_vec()))],
        )
        .unwrap();
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    fn delivery(collection: &str, table: &str, path: std::path::PathBuf) -> PublishedDelivery {
        PublishedDelivery {
            id: format!("{collection}-01-2024-03-v1"),
            collection: collection.into(),
            region: "01".into(),
            period: "2024-03".into(),
            version: 1,
            published_at: String::new(),
            files: vec![PublishedFile {
                table: table.into(),
                path,
                rows: 0,
                sha256: String::new(),
            }],
        }
    }

    async fn count(ctx: &SessionContext, sql: &str) -> Result<i64, String> {
        let df = ctx.sql(sql).await.map_err(|e| e.to_string())?;
        let batches = df.collect().await.map_err(|e| e.to_string())?;
        Ok(batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0))
    }

    #[tokio::test]
    async fn two_collections_with_a_table_of_the_same_name_are_told_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            tmp.path().join("a.parquet"),
            tmp.path().join("b.parquet"),
            tmp.path().join("c.parquet"),
        );
        parquet(&a, &[1, 2, 3]);
        parquet(&b, &[1]);
        parquet(&c, &[7, 8]);
        let snapshot = Snapshot {
            as_of: vardhub_store::now_utc(),
            deliveries: vec![
                delivery("forskning", "personer", a),
                delivery("befolkning", "personer", b),
                delivery("vardkontakter", "kontakter", c),
            ],
        };
        let (ctx, names) = session(&snapshot).await.unwrap();
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            vec![
                "befolkning.personer",
                "forskning.personer",
                "kontakter",
                "vardkontakter.kontakter"
            ]
        );
        assert_eq!(
            count(&ctx, "SELECT count(*) FROM forskning.personer").await,
            Ok(3)
        );
        assert_eq!(
            count(&ctx, "SELECT count(*) FROM befolkning.personer").await,
            Ok(1)
        );
        assert_eq!(count(&ctx, "SELECT count(*) FROM kontakter").await, Ok(2));
        // The bare name is ambiguous: refused, not silently one of them.
        assert!(count(&ctx, "SELECT count(*) FROM personer").await.is_err());
    }
}
