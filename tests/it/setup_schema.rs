//! The Trillian schema against a real MariaDB (Debian's mariadbd).

use std::path::PathBuf;
use std::time::Duration;

use crate::support::free_port;
use crate::support::servers::Mariadb;
use sigstore_up::setup::schema::{SchemaError, SchemaOutcome, ensure_schema, wait_until_accepting};

const TRILLIAN_TABLES: [&str; 7] = [
    "LeafData",
    "SequencedLeafData",
    "Subtree",
    "TreeControl",
    "TreeHead",
    "Trees",
    "Unsequenced",
];

async fn table_names(db: &Mariadb, database: &str) -> Vec<String> {
    db.root_query(
        database,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
    )
    .await
    .into_iter()
    .map(|row| row[0].clone().unwrap_or_default())
    .collect()
}

/// Everything information_schema says about the shape of a database's tables.
async fn shape(db: &Mariadb, database: &str) -> Vec<Vec<Option<String>>> {
    let mut rows = db
        .root_query(
            database,
            "SELECT 'column', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, \
             COLUMN_DEFAULT, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
        )
        .await;
    rows.extend(
        db.root_query(
            database,
            "SELECT 'index', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, '', '' \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        )
        .await,
    );
    rows.extend(
        db.root_query(
            database,
            "SELECT 'foreign key', TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION, COLUMN_NAME, \
             REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, '' FROM information_schema.KEY_COLUMN_USAGE \
             WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
        )
        .await,
    );
    rows.extend(
        db.root_query(
            database,
            "SELECT 'on delete', TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, '', '', '', '' \
             FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, CONSTRAINT_NAME",
        )
        .await,
    );
    rows
}

/// Upstream's schema file from the Go module cache the binaries are built from
/// (`$SIGSTORE_UP_TEST_GOMODCACHE`, default `/root/.cache/sigstore-up-test/go/mod`).
fn upstream_schema_sql() -> String {
    let cache = std::env::var_os("SIGSTORE_UP_TEST_GOMODCACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/sigstore-up-test/go/mod"));
    let path = cache.join("github.com/google/trillian@v1.7.3/storage/mysql/schema/storage.sql");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read Trillian's schema at {} ({e}): build the test binaries first (it downloads \
             the module) or set SIGSTORE_UP_TEST_GOMODCACHE",
            path.display()
        )
    })
}

#[tokio::test]
async fn creates_the_schema_once_and_then_finds_it() {
    let db = Mariadb::start().await;
    let url = db
        .create_database("trillian", "trillian", "pw-for-tests")
        .await;

    assert_eq!(ensure_schema(&url).await.unwrap(), SchemaOutcome::Created);
    assert_eq!(table_names(&db, "trillian").await, TRILLIAN_TABLES);
    let first = shape(&db, "trillian").await;

    assert_eq!(ensure_schema(&url).await.unwrap(), SchemaOutcome::Exists);
    assert_eq!(
        shape(&db, "trillian").await,
        first,
        "a second run changed the schema"
    );
}

#[tokio::test]
async fn our_schema_has_the_same_shape_as_upstreams_storage_sql() {
    let upstream_sql = upstream_schema_sql();
    let db = Mariadb::start().await;
    let ours = db.create_database("ours", "ours", "pw-ours").await;
    db.create_database("upstream", "upstream", "pw-upstream")
        .await;

    assert_eq!(ensure_schema(&ours).await.unwrap(), SchemaOutcome::Created);
    db.root_exec("upstream", &upstream_sql).await;

    let ours_shape = shape(&db, "ours").await;
    let upstream_shape = shape(&db, "upstream").await;
    assert!(
        ours_shape.len() > 50,
        "suspiciously little schema: {ours_shape:?}"
    );
    let only_ours: Vec<_> = ours_shape
        .iter()
        .filter(|row| !upstream_shape.contains(row))
        .collect();
    let only_upstream: Vec<_> = upstream_shape
        .iter()
        .filter(|row| !ours_shape.contains(row))
        .collect();
    assert!(
        only_ours.is_empty()
            && only_upstream.is_empty()
            && ours_shape.len() == upstream_shape.len(),
        "schemas differ\nonly ours: {only_ours:?}\nonly upstream: {only_upstream:?}"
    );

    // And a database set up with upstream's file is accepted as it is.
    let upstream_url = format!(
        "mysql://upstream:pw-upstream@127.0.0.1:{}/upstream",
        db.port
    );
    assert_eq!(
        ensure_schema(&upstream_url).await.unwrap(),
        SchemaOutcome::Exists
    );
}

#[tokio::test]
async fn an_incompatible_table_is_reported_and_left_alone() {
    let db = Mariadb::start().await;
    let url = db
        .create_database("trillian", "trillian", "pw-for-tests")
        .await;
    // A table named like Trillian's last one, with a column of another type and a row of data.
    db.root_exec(
        "trillian",
        "CREATE TABLE Unsequenced (TreeId VARCHAR(40) NOT NULL, Bucket INTEGER NOT NULL, \
         LeafIdentityHash VARBINARY(255) NOT NULL, MerkleLeafHash VARBINARY(255) NOT NULL, \
         QueueTimestampNanos BIGINT NOT NULL, QueueID VARBINARY(32) DEFAULT NULL UNIQUE, \
         PRIMARY KEY (TreeId, Bucket, QueueTimestampNanos, LeafIdentityHash)); \
         INSERT INTO Unsequenced VALUES ('someone-elses', 1, 'a', 'b', 2, NULL)",
    )
    .await;
    let before = shape(&db, "trillian").await;

    let error = ensure_schema(&url).await.unwrap_err();
    let SchemaError::Incompatible { table, detail } = &error else {
        panic!("expected Incompatible, got {error:?}");
    };
    assert_eq!(table, "Unsequenced");
    assert!(
        detail.contains("TreeId") && detail.contains("varchar"),
        "detail: {detail}"
    );
    assert!(
        error.to_string().contains("never changes existing tables"),
        "{error}"
    );

    assert_eq!(
        shape(&db, "trillian").await,
        before,
        "the table was altered or others created"
    );
    let rows = db
        .root_query("trillian", "SELECT TreeId FROM Unsequenced")
        .await;
    assert_eq!(rows, vec![vec![Some("someone-elses".to_owned())]]);
}

#[tokio::test]
async fn a_missing_column_and_a_wrong_primary_key_are_incompatible() {
    let db = Mariadb::start().await;
    let url = db
        .create_database("trillian", "trillian", "pw-for-tests")
        .await;
    db.root_exec(
        "trillian",
        "CREATE TABLE TreeControl (TreeId BIGINT NOT NULL PRIMARY KEY)",
    )
    .await;
    match ensure_schema(&url).await {
        Err(SchemaError::Incompatible { table, detail }) => {
            assert_eq!(table, "TreeControl");
            assert!(
                detail.contains("SigningEnabled") && detail.contains("missing"),
                "{detail}"
            );
        }
        other => panic!("expected Incompatible, got {other:?}"),
    }

    db.root_exec(
        "trillian",
        "DROP TABLE TreeControl; CREATE TABLE TreeControl (TreeId BIGINT NOT NULL, \
         SigningEnabled BOOLEAN NOT NULL, SequencingEnabled BOOLEAN NOT NULL, \
         SequenceIntervalSeconds INTEGER NOT NULL, PRIMARY KEY (TreeId, SequenceIntervalSeconds))",
    )
    .await;
    match ensure_schema(&url).await {
        Err(SchemaError::Incompatible { table, detail }) => {
            assert_eq!(table, "TreeControl");
            assert!(detail.contains("primary key"), "{detail}");
        }
        other => panic!("expected Incompatible, got {other:?}"),
    }
    assert_eq!(table_names(&db, "trillian").await, ["TreeControl"]);
}

#[tokio::test]
async fn a_half_created_schema_is_completed() {
    let db = Mariadb::start().await;
    let url = db
        .create_database("trillian", "trillian", "pw-for-tests")
        .await;
    assert_eq!(ensure_schema(&url).await.unwrap(), SchemaOutcome::Created);
    // As if an earlier run had stopped half-way.
    db.root_exec(
        "trillian",
        "DROP TABLE Unsequenced; DROP TABLE SequencedLeafData",
    )
    .await;

    assert_eq!(ensure_schema(&url).await.unwrap(), SchemaOutcome::Created);
    assert_eq!(table_names(&db, "trillian").await, TRILLIAN_TABLES);
    assert_eq!(ensure_schema(&url).await.unwrap(), SchemaOutcome::Exists);
}

#[tokio::test]
async fn wrong_password_is_refused_at_once_and_names_the_fix() {
    let db = Mariadb::start().await;
    db.create_database("trillian", "trillian", "right").await;
    let url = format!("mysql://trillian:wrong@127.0.0.1:{}/trillian", db.port);

    let error = wait_until_accepting(&url, Duration::from_secs(600))
        .await
        .unwrap_err();
    assert!(matches!(error, SchemaError::Refused { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("Access denied") && message.contains("password"),
        "{message}"
    );
    assert!(
        !message.contains("wrong"),
        "the password leaked into: {message}"
    );

    let error = ensure_schema(&url).await.unwrap_err();
    assert!(matches!(error, SchemaError::Refused { .. }), "{error:?}");
}

#[tokio::test]
async fn unknown_database_is_refused() {
    let db = Mariadb::start().await;
    db.create_database("trillian", "trillian", "pw").await;
    let url = format!("mysql://root@127.0.0.1:{}/not_there", db.port);
    let error = wait_until_accepting(&url, Duration::from_secs(600))
        .await
        .unwrap_err();
    assert!(matches!(error, SchemaError::Refused { .. }), "{error:?}");
    assert!(error.to_string().contains("not_there"), "{error}");
}

#[tokio::test]
async fn nobody_listening_is_not_accepting_after_the_timeout() {
    let port = free_port();
    let url = format!("mysql://trillian:secret-pw@127.0.0.1:{port}/trillian");
    let error = wait_until_accepting(&url, Duration::from_millis(300))
        .await
        .unwrap_err();
    let SchemaError::NotAccepting { server, .. } = &error else {
        panic!("expected NotAccepting, got {error:?}");
    };
    assert_eq!(server, &format!("127.0.0.1:{port}/trillian"));
    assert!(
        !error.to_string().contains("secret-pw"),
        "the password leaked: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_for_a_server_that_starts_later() {
    // The server's port is known before it runs: wait first, start it a moment later.
    let port = free_port();
    let url = format!("mysql://root@127.0.0.1:{port}/mysql");
    let waiting =
        tokio::spawn(async move { wait_until_accepting(&url, Duration::from_secs(120)).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "nothing listens yet, so the waiter must still be waiting"
    );
    let db = Mariadb::start_on_port(port).await;
    waiting
        .await
        .unwrap()
        .expect("the waiter should see the server come up");
    drop(db);
}

#[tokio::test]
async fn urls_without_a_database_or_malformed_are_bad_input() {
    assert!(matches!(
        ensure_schema("mysql://u:p@127.0.0.1:3306").await,
        Err(SchemaError::NoDatabase)
    ));
    assert!(matches!(
        ensure_schema("postgres://u:p@host/db").await,
        Err(SchemaError::BadUrl(_))
    ));
}
