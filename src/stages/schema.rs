//! "schema": create the Trillian tables in MariaDB (the upstream design's CreateDB Job), through a
//! tunnel to the MariaDB pod. Idempotent: existing tables are checked, never dropped; a
//! database holding other tables of the same names is reported.

use std::time::Duration;

use super::{Context, Outcome, StageFuture};
use crate::catalog::mariadb;
use crate::cluster::Tunnel;
use crate::cluster::wait::remaining;
use crate::setup::schema::{ensure_schema, wait_until_accepting};
use crate::ui::StageLine;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress("opening a tunnel to MariaDB");
        let (_tunnel, url) = trillian_user_tunnel(ctx).await?;
        line.progress("waiting for MariaDB to accept the Trillian user");
        wait_until_accepting(&url, remaining(ctx.deadline).min(Duration::from_secs(120))).await?;
        line.progress("creating tables");
        Ok(Outcome::Schema(ensure_schema(&url).await?.into()))
    })
}

/// A tunnel to MariaDB (to its running pod: its Service publishes not-ready addresses) and the
/// Trillian user's URL through it. The URL holds the password: never print it.
pub async fn trillian_user_tunnel(ctx: &Context) -> anyhow::Result<(Tunnel, String)> {
    let credentials = ctx.mysql.get()?;
    let component = &mariadb::COMPONENT;
    let namespace = component.namespace(&ctx.values);
    let port = component.port("mysql").service;
    let tunnel = Tunnel::to_service(&ctx.cluster, namespace, component.name, port, 0).await?;
    // the passwords are letters and digits (Password::generate), safe in a URL as they are
    let url = format!(
        "mysql://{}:{}@{}/{}",
        ctx.values.mysql.user,
        credentials.password,
        tunnel.local_addr(),
        ctx.values.mysql.database
    );
    Ok((tunnel, url))
}
