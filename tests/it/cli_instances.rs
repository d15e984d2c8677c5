//! Instances, offline: `--name` derives the instance label, the namespaces, the state directory
//! and the forward ports; `--set instance=`/`namespaces.*` combine with it (explicit namespaces
//! win, a contradicting instance is refused with exit 2); two instances render no object in
//! common (the Fulcio ClusterRoleBinding is per instance); ports are chosen once per instance
//! and never shared. The cluster half is in cluster_instances.rs.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use sigstore_up::catalog::ForwardPorts;
use sigstore_up::render::render;
use sigstore_up::values::{LABEL_INSTANCE, Overrides, Values};

use crate::support::cli::{self, SIGSTORE_UP};
use crate::support::{run, stderr, stdout};

fn load(name: Option<&str>, sets: &[&str]) -> anyhow::Result<Values> {
    Values::load(&Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        name: name.map(str::to_string),
        ..Default::default()
    })
}

fn namespaces(values: &Values) -> [&str; 6] {
    let ns = &values.namespaces;
    [
        &ns.trillian,
        &ns.rekor,
        &ns.ctlog,
        &ns.fulcio,
        &ns.tuf,
        &ns.tsa,
    ]
}

#[test]
fn name_derives_the_label_and_the_namespaces_and_the_default_keeps_todays_names() {
    let plain = load(None, &[]).unwrap();
    assert_eq!(plain.instance, "sigstore");
    assert_eq!(
        namespaces(&plain),
        [
            "trillian-system",
            "rekor-system",
            "ctlog-system",
            "fulcio-system",
            "tuf-system",
            "tsa-system"
        ]
    );
    assert_eq!(load(Some("sigstore"), &[]).unwrap(), plain);

    let a = load(Some("team-a"), &[]).unwrap();
    assert_eq!(a.instance, "team-a");
    assert_eq!(
        namespaces(&a),
        [
            "team-a-trillian-system",
            "team-a-rekor-system",
            "team-a-ctlog-system",
            "team-a-fulcio-system",
            "team-a-tuf-system",
            "team-a-tsa-system"
        ]
    );
    // instance= alone means the same as --name; so does --name with the same instance=.
    assert_eq!(load(None, &["instance=team-a"]).unwrap(), a);
    assert_eq!(load(Some("team-a"), &["instance=team-a"]).unwrap(), a);
    // An explicit namespace wins over the derived one; the others stay derived.
    let mixed = load(Some("team-a"), &["namespaces.rekor=shared-rekor"]).unwrap();
    assert_eq!(mixed.namespaces.rekor, "shared-rekor");
    assert_eq!(mixed.namespaces.fulcio, "team-a-fulcio-system");
    // The namespaces are in the rendered objects, and the Rekor origin follows its namespace.
    assert_eq!(a.rekor_origin(), "rekor.team-a-rekor-system.svc");
}

#[test]
fn two_instances_render_no_object_in_common() {
    for profile in ["classic", "modern"] {
        // with the opt-in, so that the one cluster-scoped object it adds is compared too
        let objects = |name: Option<&str>| -> BTreeSet<(String, String, String)> {
            let values = load(
                name,
                &[
                    &format!("profile={profile}"),
                    "tsa.enabled=true",
                    "fulcio.anonymous_oidc_discovery=true",
                ],
            )
            .unwrap();
            render(&values)
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m.kind().to_string(),
                        m.namespace().unwrap_or_default().to_string(),
                        m.name().to_string(),
                    )
                })
                .collect()
        };
        let (first, second) = (objects(None), objects(Some("other")));
        let shared: Vec<_> = first.intersection(&second).collect();
        assert!(shared.is_empty(), "{profile}: shared objects {shared:?}");
        // The one cluster-scoped object besides the namespaces (opt-in) is Fulcio's binding: per
        // instance.
        assert!(
            second
                .iter()
                .any(|(kind, _, name)| kind == "ClusterRoleBinding"
                    && name == "sigstore-up-other-oidc-discovery")
        );
    }
    let values = load(Some("other"), &[]).unwrap();
    for manifest in render(&values).unwrap() {
        assert_eq!(
            manifest.object["metadata"]["labels"][LABEL_INSTANCE].as_str(),
            Some("other"),
            "{} {}",
            manifest.kind(),
            manifest.name()
        );
    }
}

/// The binary with a kubeconfig for an API server that does not exist.
fn sigstore_up(home: &Path, args: &[&str]) -> Output {
    let kubeconfig = home.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n\
         users:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n\
         current-context: c\n",
    )
    .unwrap();
    let out = run(cli::sigstore_up(home)
        .args(args)
        .env("KUBECONFIG", &kubeconfig));
    cli::show(&format!("{SIGSTORE_UP} {args:?}"), &out);
    out
}

#[test]
fn contradictions_and_bad_names_are_refused_with_exit_2_before_the_cluster() {
    let home = tempfile::tempdir().unwrap();
    for (args, needles) in [
        (
            &["--name", "a", "render", "--set", "instance=b"][..],
            &["--name a contradicts instance=b", "drop one of them"][..],
        ),
        (
            &["--name", "Team_A", "render"][..],
            &["--name \"Team_A\"", "lower-case letters", "--name team-a"][..],
        ),
        (
            &["render", "--set", "instance=Team_A"][..],
            &["instance \"Team_A\"", "lower-case letters"][..],
        ),
        (
            &["--name", &"x".repeat(48), "status"][..],
            &["at most 47 characters"][..],
        ),
    ] {
        let out = sigstore_up(home.path(), args);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {message}");
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} in: {message}");
        }
        assert!(!message.contains("127.0.0.1:1"), "{message}");
    }
    // With every namespace explicit, an instance label that is no DNS label still works (as before
    // --name existed): nothing is derived from it.
    let out = sigstore_up(
        home.path(),
        &[
            "render",
            "--set",
            "instance=Team_A",
            "--set",
            "namespaces.trillian=t",
            "--set",
            "namespaces.rekor=r",
            "--set",
            "namespaces.ctlog=c",
            "--set",
            "namespaces.fulcio=f",
            "--set",
            "namespaces.tsa=s",
            "--set",
            "namespaces.tuf=u",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The rendered YAML names the derived namespaces.
    let out = sigstore_up(home.path(), &["--name", "blue", "render"]);
    assert!(
        stdout(&out).contains("namespace: \"blue-rekor-system\"")
            || stdout(&out).contains("namespace: blue-rekor-system")
    );
}

fn recorded_ports(home: &Path, instance: &str) -> ForwardPorts {
    let file = home.join(format!(".local/state/sigstore-up/{instance}/ports.json"));
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    let map: std::collections::BTreeMap<String, u16> = serde_json::from_str(&text).unwrap();
    let mut ports = ForwardPorts::defaults();
    for (id, port) in ports.0.iter_mut() {
        *port = map[*id];
    }
    ports
}

#[test]
fn each_instance_gets_its_own_recorded_ports_and_the_default_instance_the_defaults() {
    let home = tempfile::tempdir().unwrap();
    // forward chooses (and records) the ports before it contacts the cluster, which fails here.
    let out = sigstore_up(home.path(), &["--name", "a", "forward"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let a = recorded_ports(home.path(), "a");
    let out = sigstore_up(home.path(), &["--name", "b", "forward"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let b = recorded_ports(home.path(), "b");
    let out = sigstore_up(home.path(), &["forward"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let main = recorded_ports(home.path(), "sigstore");

    let defaults = ForwardPorts::defaults();
    for (id, port) in &defaults.0 {
        // The default instance keeps a default port unless something else held it just then.
        let held = std::net::TcpListener::bind(("127.0.0.1", *port)).is_err();
        assert!(main.get(id) == *port || held, "{id}: {main:?}");
    }
    let all: Vec<u16> = [&a, &b, &main]
        .iter()
        .flat_map(|p| p.0.values().copied())
        .collect();
    let unique: BTreeSet<u16> = all.iter().copied().collect();
    assert_eq!(
        unique.len(),
        all.len(),
        "no port shared: {a:?} {b:?} {main:?}"
    );
    assert!(a.0.values().all(|p| !defaults.0.values().any(|d| d == p)));

    // Chosen once: asked again, the same ports; a flag wins for that command only.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let out = sigstore_up(
        home.path(),
        &["--name", "a", "forward", "--rekor-port", &port],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("port {port} on 127.0.0.1 is already in use")));
    assert_eq!(recorded_ports(home.path(), "a"), a);
    // The hint for stopping another instance's forward names it with --name.
    let out = sigstore_up(home.path(), &["--name", "a", "forward", "--stop"]);
    assert!(
        stderr(&out).contains(".local/state/sigstore-up/a/forward.pid"),
        "{}",
        stderr(&out)
    );
}
