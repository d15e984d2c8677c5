//! The Trillian MySQL schema (Trillian v1.7.3, `storage/mysql/schema/storage.sql`), created
//! idempotently over a `mysql://` URL.
//!
//! The tables are described once, as data ([`TRILLIAN_TABLES`]); the same description produces
//! the `CREATE TABLE` statements and the compatibility check against `information_schema`.
//! A table that exists with a shape Trillian cannot use is reported, never dropped or altered:
//! it may hold somebody's log.
//!
//! URLs carry the database password, so no error or log line here ever contains the URL; errors
//! name the server as `host:port/database` instead.

use std::collections::BTreeMap;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder};
use tokio::time::Instant;

use crate::retry::{Backoff, retry};

/// What [`ensure_schema`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaOutcome {
    /// At least one table was missing and has been created (the others were compatible).
    Created,
    /// Every table already existed in a shape Trillian v1.7.3 can use; nothing was changed.
    Exists,
}

/// Errors callers may want to branch on. The server is named as `host:port/database`.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the MySQL URL is not valid ({0}); expected mysql://USER:PASSWORD@HOST:PORT/DATABASE")]
    BadUrl(#[source] mysql_async::UrlError),

    #[error("the MySQL URL names no database; expected mysql://USER:PASSWORD@HOST:PORT/DATABASE")]
    NoDatabase,

    #[error(
        "MySQL at {server} did not accept a connection within {waited:?} (last error: {cause}); \
         check that the database server is running and reachable"
    )]
    NotAccepting {
        server: String,
        waited: Duration,
        #[source]
        cause: mysql_async::Error,
    },

    #[error(
        "MySQL at {server} refused the connection: {cause}; check the user, password and \
         database name (the database must exist and the user must have all privileges on it)"
    )]
    Refused {
        server: String,
        #[source]
        cause: mysql_async::Error,
    },

    #[error(
        "table `{table}` already exists but is not Trillian v1.7.3's: {detail}. sigstore-up never \
         changes existing tables; use an empty database, or drop the table yourself if its data \
         is not needed"
    )]
    Incompatible { table: String, detail: String },

    #[error("MySQL at {server}: {action} failed: {cause}")]
    Query {
        server: String,
        action: &'static str,
        #[source]
        cause: mysql_async::Error,
    },
}

/// Retries connecting until the server completes a login or `timeout` passes.
///
/// Connection failures (refused, reset, closed: the server or a port-forward is not up yet) are
/// retried with a short backoff. An answer from the server that will not change by waiting
/// (wrong password, unknown database) is returned at once as [`SchemaError::Refused`].
pub async fn wait_until_accepting(url: &str, timeout: Duration) -> Result<(), SchemaError> {
    let opts = parse_url(url)?;
    let server = server_name(&opts);
    let started = Instant::now();
    let deadline = started + timeout;
    let attempt = || async {
        match tokio::time::timeout_at(deadline, Conn::new(opts.clone())).await {
            Ok(Ok(conn)) => {
                // A failed goodbye does not make the server less ready.
                let _ = conn.disconnect().await;
                Ok(())
            }
            Ok(Err(error)) => Err(error),
            Err(_elapsed) => Err(mysql_async::Error::Io(mysql_async::IoError::Io(
                std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"),
            ))),
        }
    };
    // Short steps: install's critical path waits here for MariaDB's first start.
    let backoff = Backoff::exponential(Duration::from_millis(25), Duration::from_millis(100));
    retry(deadline, backoff, |error| !is_final_answer(error), attempt)
        .await
        .map_err(|cause| {
            if is_final_answer(&cause) {
                SchemaError::Refused { server, cause }
            } else {
                SchemaError::NotAccepting {
                    server,
                    waited: started.elapsed(),
                    cause,
                }
            }
        })
}

/// Creates the Trillian tables that are missing in the URL's database and checks the ones that
/// exist. Safe to run again and concurrently (`CREATE TABLE IF NOT EXISTS`).
pub async fn ensure_schema(url: &str) -> Result<SchemaOutcome, SchemaError> {
    let opts = parse_url(url)?;
    let server = server_name(&opts);
    let query_error = |action: &'static str| {
        let server = server.clone();
        move |cause| SchemaError::Query {
            server,
            action,
            cause,
        }
    };
    let mut conn = Conn::new(opts).await.map_err(|cause| {
        if is_final_answer(&cause) {
            SchemaError::Refused {
                server: server.clone(),
                cause,
            }
        } else {
            query_error("connecting")(cause)
        }
    })?;

    let existing = existing_tables(&mut conn)
        .await
        .map_err(query_error("reading information_schema"))?;
    // Check everything that exists before creating anything, so a database we refuse is left
    // exactly as we found it.
    let mut missing = Vec::new();
    for table in TRILLIAN_TABLES {
        match existing.get(&table.name.to_ascii_lowercase()) {
            Some(found) => table.check(found)?,
            None => missing.push(table),
        }
    }
    for table in &missing {
        conn.query_drop(table.create_statement())
            .await
            .map_err(query_error("creating a table"))?;
    }
    let _ = conn.disconnect().await;
    Ok(if missing.is_empty() {
        SchemaOutcome::Exists
    } else {
        SchemaOutcome::Created
    })
}

fn parse_url(url: &str) -> Result<Opts, SchemaError> {
    let opts = Opts::from_url(url).map_err(SchemaError::BadUrl)?;
    if opts.db_name().is_none_or(str::is_empty) {
        return Err(SchemaError::NoDatabase);
    }
    // On a loopback address mysql_async would otherwise switch to the server's unix socket
    // when it can see one; behind a port-forward that path means nothing, so always use TCP.
    Ok(OptsBuilder::from_opts(opts).prefer_socket(false).into())
}

fn server_name(opts: &Opts) -> String {
    format!(
        "{}:{}/{}",
        opts.ip_or_hostname(),
        opts.tcp_port(),
        opts.db_name().unwrap_or_default()
    )
}

/// Whether an error is the server's considered answer rather than "not up yet".
fn is_final_answer(error: &mysql_async::Error) -> bool {
    const TOO_MANY_CONNECTIONS: u16 = 1040;
    const SHUTDOWN_IN_PROGRESS: u16 = 1053;
    match error {
        mysql_async::Error::Server(server) => {
            !matches!(server.code, TOO_MANY_CONNECTIONS | SHUTDOWN_IN_PROGRESS)
        }
        _ => false,
    }
}

/// One column as `information_schema` reports it.
#[derive(Debug)]
struct FoundColumn {
    name: String,
    data_type: String,
    column_type: String,
    nullable: bool,
    has_default: bool,
}

#[derive(Debug, Default)]
struct FoundTable {
    columns: Vec<FoundColumn>,
    primary_key: Vec<String>,
}

/// The tables of the current database, keyed by lower-case name (MySQL may fold table names).
async fn existing_tables(
    conn: &mut Conn,
) -> Result<BTreeMap<String, FoundTable>, mysql_async::Error> {
    let mut tables: BTreeMap<String, FoundTable> = BTreeMap::new();
    let columns: Vec<(String, String, String, String, String, Option<String>)> = conn
        .query(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
        )
        .await?;
    for (table, name, data_type, column_type, nullable, default) in columns {
        tables
            .entry(table.to_ascii_lowercase())
            .or_default()
            .columns
            .push(FoundColumn {
                name,
                data_type: data_type.to_ascii_lowercase(),
                column_type,
                nullable: nullable == "YES",
                has_default: default.is_some(),
            });
    }
    let key_columns: Vec<(String, String)> = conn
        .query(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'PRIMARY' \
             ORDER BY TABLE_NAME, SEQ_IN_INDEX",
        )
        .await?;
    for (table, column) in key_columns {
        if let Some(found) = tables.get_mut(&table.to_ascii_lowercase()) {
            found.primary_key.push(column);
        }
    }
    Ok(tables)
}

struct Column {
    name: &'static str,
    /// The type as written in `CREATE TABLE`.
    sql_type: &'static str,
    not_null: bool,
}

struct ForeignKey {
    columns: &'static [&'static str],
    table: &'static str,
    referenced: &'static [&'static str],
}

struct Index {
    name: &'static str,
    unique: bool,
    columns: &'static [&'static str],
}

struct Table {
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    foreign_keys: &'static [ForeignKey],
    indexes: &'static [Index],
}

const fn col(name: &'static str, sql_type: &'static str) -> Column {
    Column {
        name,
        sql_type,
        not_null: true,
    }
}

const fn nullable(name: &'static str, sql_type: &'static str) -> Column {
    Column {
        name,
        sql_type,
        not_null: false,
    }
}

const TREE_FK: ForeignKey = ForeignKey {
    columns: &["TreeId"],
    table: "Trees",
    referenced: &["TreeId"],
};

/// Trillian v1.7.3's MySQL tables, in an order that satisfies the foreign keys. Indexes that
/// upstream creates with separate `CREATE INDEX` statements are declared inside the table here,
/// which gives the same index and keeps every statement idempotent.
const TRILLIAN_TABLES: &[Table] = &[
    Table {
        name: "Trees",
        columns: &[
            col("TreeId", "BIGINT"),
            col("TreeState", "ENUM('ACTIVE','FROZEN','DRAINING')"),
            col("TreeType", "ENUM('LOG','MAP','PREORDERED_LOG')"),
            col(
                "HashStrategy",
                "ENUM('RFC6962_SHA256','TEST_MAP_HASHER','OBJECT_RFC6962_SHA256','CONIKS_SHA512_256','CONIKS_SHA256')",
            ),
            col("HashAlgorithm", "ENUM('SHA256')"),
            col("SignatureAlgorithm", "ENUM('ECDSA','RSA','ED25519')"),
            nullable("DisplayName", "VARCHAR(20)"),
            nullable("Description", "VARCHAR(200)"),
            col("CreateTimeMillis", "BIGINT"),
            col("UpdateTimeMillis", "BIGINT"),
            col("MaxRootDurationMillis", "BIGINT"),
            col("PrivateKey", "MEDIUMBLOB"),
            col("PublicKey", "MEDIUMBLOB"),
            nullable("Deleted", "BOOLEAN"),
            nullable("DeleteTimeMillis", "BIGINT"),
        ],
        primary_key: &["TreeId"],
        foreign_keys: &[],
        indexes: &[],
    },
    Table {
        name: "TreeControl",
        columns: &[
            col("TreeId", "BIGINT"),
            col("SigningEnabled", "BOOLEAN"),
            col("SequencingEnabled", "BOOLEAN"),
            col("SequenceIntervalSeconds", "INTEGER"),
        ],
        primary_key: &["TreeId"],
        foreign_keys: &[TREE_FK],
        indexes: &[],
    },
    Table {
        name: "Subtree",
        columns: &[
            col("TreeId", "BIGINT"),
            col("SubtreeId", "VARBINARY(255)"),
            col("Nodes", "MEDIUMBLOB"),
            col("SubtreeRevision", "INTEGER"),
        ],
        primary_key: &["TreeId", "SubtreeId", "SubtreeRevision"],
        foreign_keys: &[TREE_FK],
        indexes: &[],
    },
    Table {
        name: "TreeHead",
        columns: &[
            col("TreeId", "BIGINT"),
            // Part of the primary key, so MySQL makes it NOT NULL whatever we write.
            nullable("TreeHeadTimestamp", "BIGINT"),
            nullable("TreeSize", "BIGINT"),
            col("RootHash", "VARBINARY(255)"),
            col("RootSignature", "VARBINARY(1024)"),
            nullable("TreeRevision", "BIGINT"),
        ],
        primary_key: &["TreeId", "TreeHeadTimestamp"],
        foreign_keys: &[TREE_FK],
        indexes: &[Index {
            name: "TreeHeadRevisionIdx",
            unique: true,
            columns: &["TreeId", "TreeRevision"],
        }],
    },
    Table {
        name: "LeafData",
        columns: &[
            col("TreeId", "BIGINT"),
            col("LeafIdentityHash", "VARBINARY(255)"),
            col("LeafValue", "LONGBLOB"),
            nullable("ExtraData", "LONGBLOB"),
            col("QueueTimestampNanos", "BIGINT"),
        ],
        primary_key: &["TreeId", "LeafIdentityHash"],
        foreign_keys: &[TREE_FK],
        indexes: &[],
    },
    Table {
        name: "SequencedLeafData",
        columns: &[
            col("TreeId", "BIGINT"),
            col("SequenceNumber", "BIGINT UNSIGNED"),
            col("LeafIdentityHash", "VARBINARY(255)"),
            col("MerkleLeafHash", "VARBINARY(255)"),
            col("IntegrateTimestampNanos", "BIGINT"),
        ],
        primary_key: &["TreeId", "SequenceNumber"],
        foreign_keys: &[
            TREE_FK,
            ForeignKey {
                columns: &["TreeId", "LeafIdentityHash"],
                table: "LeafData",
                referenced: &["TreeId", "LeafIdentityHash"],
            },
        ],
        indexes: &[Index {
            name: "SequencedLeafMerkleIdx",
            unique: false,
            columns: &["TreeId", "MerkleLeafHash"],
        }],
    },
    Table {
        name: "Unsequenced",
        columns: &[
            col("TreeId", "BIGINT"),
            col("Bucket", "INTEGER"),
            col("LeafIdentityHash", "VARBINARY(255)"),
            col("MerkleLeafHash", "VARBINARY(255)"),
            col("QueueTimestampNanos", "BIGINT"),
            nullable("QueueID", "VARBINARY(32)"),
        ],
        primary_key: &[
            "TreeId",
            "Bucket",
            "QueueTimestampNanos",
            "LeafIdentityHash",
        ],
        foreign_keys: &[],
        indexes: &[Index {
            name: "QueueID",
            unique: true,
            columns: &["QueueID"],
        }],
    },
];

/// `a`, `b` as a backquoted column list.
fn column_list(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Column {
    /// The `information_schema.COLUMNS.DATA_TYPE` MySQL and MariaDB report for this column.
    fn data_type(&self) -> String {
        let base = self
            .sql_type
            .split(['(', ' '])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match base.as_str() {
            "boolean" => "tinyint".to_owned(),
            "integer" => "int".to_owned(),
            _ => base,
        }
    }
}

impl Table {
    fn create_statement(&self) -> String {
        let mut parts: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                format!(
                    "`{}` {}{}",
                    c.name,
                    c.sql_type,
                    if c.not_null { " NOT NULL" } else { "" }
                )
            })
            .collect();
        parts.push(format!("PRIMARY KEY ({})", column_list(self.primary_key)));
        for index in self.indexes {
            let kind = if index.unique { "UNIQUE KEY" } else { "KEY" };
            parts.push(format!(
                "{kind} `{}` ({})",
                index.name,
                column_list(index.columns)
            ));
        }
        for fk in self.foreign_keys {
            parts.push(format!(
                "FOREIGN KEY ({}) REFERENCES `{}` ({}) ON DELETE CASCADE",
                column_list(fk.columns),
                fk.table,
                column_list(fk.referenced)
            ));
        }
        format!(
            "CREATE TABLE IF NOT EXISTS `{}` (\n  {}\n)",
            self.name,
            parts.join(",\n  ")
        )
    }

    /// Whether Trillian can use the table as found: every column it reads or writes exists with
    /// the same type (enums with the same values), the primary key matches, and any extra column
    /// can be left out of Trillian's inserts.
    fn check(&self, found: &FoundTable) -> Result<(), SchemaError> {
        let incompatible = |detail: String| SchemaError::Incompatible {
            table: self.name.to_owned(),
            detail,
        };
        for want in self.columns {
            let Some(have) = found
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(want.name))
            else {
                return Err(incompatible(format!("column `{}` is missing", want.name)));
            };
            let want_type = want.data_type();
            if have.data_type != want_type {
                return Err(incompatible(format!(
                    "column `{}` is {}, Trillian needs {}",
                    want.name, have.data_type, want_type
                )));
            }
            if want_type == "enum" && !have.column_type.eq_ignore_ascii_case(want.sql_type) {
                return Err(incompatible(format!(
                    "column `{}` is {}, Trillian needs {}",
                    want.name, have.column_type, want.sql_type
                )));
            }
        }
        for extra in &found.columns {
            let known = self
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&extra.name));
            if !known && !extra.nullable && !extra.has_default {
                return Err(incompatible(format!(
                    "extra column `{}` is NOT NULL without a default, so Trillian's inserts would fail",
                    extra.name
                )));
            }
        }
        let same_key = found.primary_key.len() == self.primary_key.len()
            && found
                .primary_key
                .iter()
                .zip(self.primary_key)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        if !same_key {
            return Err(incompatible(format!(
                "primary key is ({}), Trillian needs ({})",
                found.primary_key.join(", "),
                self.primary_key.join(", ")
            )));
        }
        Ok(())
    }
}
