//! Trillian trees against a real trillian_log_server + trillian_log_signer on a MariaDB whose
//! schema `ensure_schema` created.

use std::time::{Duration, Instant};

use crate::support::servers::{STARTUP_LIMIT, TrillianStack};
use crate::support::{free_port, loopback};
use sigstore_up::setup::trillian::{TreeId, TreeOutcome, TrillianAdmin, TrillianError};

/// Waits until the signer's log mentions `tree` (it has picked the tree up as master).
fn wait_for_signer_to_adopt(stack: &mut TrillianStack, tree: TreeId) {
    let started = Instant::now();
    while !stack.signer.log().contains(&tree.to_string()) {
        stack.signer.assert_running();
        assert!(
            started.elapsed() < STARTUP_LIMIT,
            "the signer never mentioned tree {tree}; its log:\n{}",
            stack.signer.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn ensure_tree_creates_once_and_then_finds_the_same_tree() {
    let mut stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();

    let (rekor, outcome) = admin.ensure_tree("rekor").await.unwrap();
    assert_eq!(outcome, TreeOutcome::Created);
    assert_ne!(rekor.0, 0);

    let root = admin.latest_log_root(rekor).await.unwrap();
    assert_eq!(root.tree_size, 0);
    assert_eq!(root.root_hash.len(), 32, "an RFC 6962 SHA-256 empty root");
    wait_for_signer_to_adopt(&mut stack, rekor);

    // A new connection, as a second install would make.
    let mut again = TrillianAdmin::connect(stack.rpc).await.unwrap();
    assert_eq!(
        again.ensure_tree("rekor").await.unwrap(),
        (rekor, TreeOutcome::Exists)
    );

    let (ctlog, outcome) = again.ensure_tree("ctlog").await.unwrap();
    assert_eq!(outcome, TreeOutcome::Created);
    assert_ne!(ctlog, rekor);
    assert_eq!(
        again.ensure_tree("ctlog").await.unwrap(),
        (ctlog, TreeOutcome::Exists)
    );

    let rows = stack
        .db
        .root_query(
            TrillianStack::DATABASE,
            "SELECT TreeId FROM Trees ORDER BY TreeId",
        )
        .await;
    // In the database's order: by number (as strings, an 18-digit ID sorted after a 19-digit one).
    let mut ids = vec![rekor.0, ctlog.0];
    ids.sort();
    assert_eq!(
        rows,
        ids.into_iter()
            .map(|id| vec![Some(id.to_string())])
            .collect::<Vec<_>>()
    );
    stack.log_server.assert_running();
    stack.signer.assert_running();
    stack.log_server.assert_no_klog_errors();
    stack.signer.assert_no_klog_errors();
}

#[tokio::test]
async fn a_tree_created_but_never_initialised_is_reused_and_initialised() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (tree, _) = admin.ensure_tree("rekor").await.unwrap();

    // The state a run killed between CreateTree and InitLog leaves: the tree without a root.
    stack
        .db
        .root_exec(
            TrillianStack::DATABASE,
            &format!("DELETE FROM TreeHead WHERE TreeId = {tree}"),
        )
        .await;
    let error = admin.latest_log_root(tree).await.unwrap_err();
    assert!(matches!(error, TrillianError::Rpc { .. }), "{error:?}");

    assert_eq!(
        admin.ensure_tree("rekor").await.unwrap(),
        (tree, TreeOutcome::Exists)
    );
    assert_eq!(admin.latest_log_root(tree).await.unwrap().tree_size, 0);
}

#[tokio::test]
async fn deleted_trees_are_ignored_and_frozen_ones_refused() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();

    let (old, _) = admin.ensure_tree("rekor").await.unwrap();
    stack
        .db
        .root_exec(
            TrillianStack::DATABASE,
            &format!("UPDATE Trees SET Deleted = 1 WHERE TreeId = {old}"),
        )
        .await;
    let (new, outcome) = admin.ensure_tree("rekor").await.unwrap();
    assert_eq!(outcome, TreeOutcome::Created);
    assert_ne!(new, old);

    stack
        .db
        .root_exec(
            TrillianStack::DATABASE,
            &format!("UPDATE Trees SET TreeState = 'FROZEN' WHERE TreeId = {new}"),
        )
        .await;
    match admin.ensure_tree("rekor").await {
        Err(TrillianError::UnusableTree { id, what, .. }) => {
            assert_eq!(id, new);
            assert!(what.contains("FROZEN"), "{what}");
        }
        other => panic!("expected UnusableTree, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_display_names_are_refused_before_anything_is_created() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    for name in ["", "a-name-longer-than-20-chars"] {
        let error = admin.ensure_tree(name).await.unwrap_err();
        assert!(
            matches!(error, TrillianError::BadDisplayName { .. }),
            "{error:?}"
        );
    }
    let rows = stack
        .db
        .root_query(TrillianStack::DATABASE, "SELECT COUNT(*) FROM Trees")
        .await;
    assert_eq!(rows, vec![vec![Some("0".to_owned())]]);
    // Twenty characters is the limit, and fits.
    let (_, outcome) = admin.ensure_tree("exactly-twenty-chars").await.unwrap();
    assert_eq!(outcome, TreeOutcome::Created);
}

#[tokio::test]
async fn connecting_to_a_closed_port_names_the_address() {
    let addr = loopback(free_port());
    let error = match TrillianAdmin::connect(addr).await {
        Ok(_) => panic!("connected to a port nobody listens on"),
        Err(error) => error,
    };
    assert!(matches!(error, TrillianError::Connect { .. }), "{error:?}");
    assert!(error.to_string().contains(&addr.to_string()), "{error}");
}

/// What `status` relies on to tell lost log data (see `log_data`): the live trees are listed,
/// and a database that came back without Trillian's tables (an emptyDir MariaDB after its pod
/// went) is recognised as such from Trillian's answer, not taken for an outage.
#[tokio::test]
async fn live_trees_lists_the_trees_and_an_emptied_database_is_recognised() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (rekor, _) = admin.ensure_tree("rekor").await.unwrap();
    let (ctlog, _) = admin.ensure_tree("ctlog").await.unwrap();
    let mut live = admin.live_trees().await.unwrap();
    live.sort();
    let mut made = vec![rekor, ctlog];
    made.sort();
    assert_eq!(live, made);

    // As MariaDB's entrypoint leaves a fresh data dir: the database exists, with no tables.
    let database = TrillianStack::DATABASE;
    stack
        .db
        .root_exec("mysql", &format!("DROP DATABASE {database}"))
        .await;
    stack
        .db
        .root_exec("mysql", &format!("CREATE DATABASE {database}"))
        .await;
    let error = admin.live_trees().await.unwrap_err();
    assert!(
        error.is_missing_schema(),
        "not recognised as missing tables: {error}"
    );

    // An outage is not a loss: with MariaDB gone, Trillian answers otherwise.
    let TrillianStack {
        signer,
        log_server,
        db,
        ..
    } = stack;
    drop(db);
    let error = admin.live_trees().await.unwrap_err();
    assert!(!error.is_missing_schema(), "{error}");
    eprintln!("Trillian without its database: {error}");
    drop((signer, log_server));
}
