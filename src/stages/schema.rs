//! "schema": create the Trillian tables in MariaDB (the upstream design's CreateDB Job), through a
//! tunnel to a ready MariaDB pod. Idempotent: existing tables are checked, never dropped; a
//! database holding other tables of the same names is reported.

use std::time::Duration;

use crate::cluster::Tunnel;
use crate::cluster::wait::remaining;
use crate::pipeline::{Context, StageFuture};
use crate::setup::schema::{SchemaOutcome, ensure_schema, wait_until_accepting};
use crate::ui::StageLine;

/// MariaDB's Service port.
const MYSQL_PORT: u16 = 3306;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let credentials = ctx
            .mysql
            .clone()
            .expect("stage secrets runs before schema and stores the MariaDB credentials");
        let namespace = &ctx.values.namespaces.trillian;
        line.progress("opening a tunnel to MariaDB");
        let tunnel = Tunnel::to_service(&ctx.cluster, namespace, "mysql", MYSQL_PORT, 0).await?;
        // the passwords are letters and digits (Password::generate), safe in a URL as they are
        let url = format!(
            "mysql://{}:{}@{}/{}",
            ctx.values.mysql.user,
            credentials.password,
            tunnel.local_addr(),
            ctx.values.mysql.database
        );
        line.progress("waiting for MariaDB to accept the Trillian user");
        wait_until_accepting(&url, remaining(ctx.deadline).min(Duration::from_secs(120))).await?;
        line.progress("creating tables");
        Ok(match ensure_schema(&url).await? {
            SchemaOutcome::Created => "Trillian tables created",
            SchemaOutcome::Exists => "exists",
        }
        .to_string())
    })
}
