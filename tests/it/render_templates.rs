//! The template engine and the values: every template renders to valid objects carrying our
//! labels, overrides reach the manifests, bad overrides are refused with a message naming the
//! key, and the engine's own rules (typed placeholders, no injection, unknown placeholders) hold.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;
use sigstore_up::error::{Failure, failure_of};
use sigstore_up::render::{Manifest, Tier, all_kinds, render, render_template, to_yaml};
use sigstore_up::values::{
    LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, Overrides, Values,
};

fn with_sets(sets: &[&str]) -> anyhow::Result<Values> {
    Values::load(&Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
}

fn find<'a>(manifests: &'a [Manifest], kind: &str, name: &str) -> &'a Manifest {
    manifests
        .iter()
        .find(|m| m.kind() == kind && m.name() == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn field<'a>(manifest: &'a Manifest, path: &str) -> &'a Value {
    path.split('.')
        .fold(&manifest.object, |node, key| match key.parse::<usize>() {
            Ok(i) => &node[i],
            Err(_) => &node[key],
        })
}

fn container_args(manifest: &Manifest) -> Vec<String> {
    field(manifest, "spec.template.spec.containers.0.args")
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_template_renders_to_kubernetes_objects_with_our_labels() {
    let manifests = render(&Values::default()).unwrap();
    let cluster_scoped = ["Namespace", "ClusterRoleBinding"];
    for m in &manifests {
        let what = m.describe();
        assert!(
            !m.api_version().is_empty() && !m.kind().is_empty() && !m.name().is_empty(),
            "{what}"
        );
        assert_eq!(
            m.namespace().is_none(),
            cluster_scoped.contains(&m.kind()),
            "{what}: namespace"
        );
        m.to_dynamic().unwrap();
        let labels = &m.object["metadata"]["labels"];
        for key in [
            LABEL_MANAGED_BY,
            LABEL_PART_OF,
            LABEL_INSTANCE,
            LABEL_NAME,
            LABEL_COMPONENT,
        ] {
            assert!(
                labels[key].as_str().is_some_and(|v| !v.is_empty()),
                "{what}: label {key}"
            );
        }
        assert_eq!(labels[LABEL_MANAGED_BY].as_str(), Some("sigstore-up"));
        assert_eq!(labels[LABEL_INSTANCE].as_str(), Some("sigstore"));
        if let Some(pod_labels) = m
            .object
            .get("spec")
            .and_then(|s| s.get("template"))
            .map(|t| &t["metadata"]["labels"])
        {
            for key in [
                LABEL_MANAGED_BY,
                LABEL_PART_OF,
                LABEL_INSTANCE,
                LABEL_NAME,
                LABEL_COMPONENT,
            ] {
                assert!(pod_labels[key].is_string(), "{what}: pod label {key}");
            }
            // The selector must match the pod template, or the Deployment is refused.
            for (key, value) in field(m, "spec.selector.matchLabels").as_mapping().unwrap() {
                assert_eq!(
                    &pod_labels[key.as_str().unwrap()],
                    value,
                    "{what}: selector {key:?}"
                );
            }
        }
    }
    // Every template of the profile but the optional ones (PVC off by default) rendered exactly
    // once, and the namespace template once per namespace.
    let profile = Values::default().profile();
    let templates: Vec<_> = profile
        .components()
        .iter()
        .flat_map(|c| c.templates.iter())
        .collect();
    let optional = templates
        .iter()
        .filter(|t| t.only_if.is_some_and(|f| !f(&Values::default())))
        .count();
    assert_eq!(
        manifests.len(),
        templates.len() - optional + profile.namespaces().len()
    );
    // The YAML stream parses back to the same number of documents.
    let yaml = to_yaml(&manifests).unwrap();
    let documents = serde_yaml_ng::Deserializer::from_str(&yaml).count();
    assert_eq!(documents, manifests.len());
}

#[test]
fn services_select_their_deployments_pods() {
    let manifests = render(&Values::default()).unwrap();
    for service in manifests.iter().filter(|m| m.kind() == "Service") {
        let deployment = find(&manifests, "Deployment", service.name());
        assert_eq!(
            field(service, "spec.selector"),
            field(deployment, "spec.selector.matchLabels")
        );
        // Named target ports must exist on the container.
        let container_ports: Vec<&str> = field(deployment, "spec.template.spec.containers.0.ports")
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for port in field(service, "spec.ports").as_sequence().unwrap() {
            let target = port["targetPort"].as_str().unwrap();
            assert!(
                container_ports.contains(&target),
                "{}: target port {target}",
                service.describe()
            );
        }
    }
}

#[test]
fn data_tier_matches_the_contract() {
    let manifests = render(&Values::default()).unwrap();
    let names = |tier: Tier| -> Vec<String> {
        manifests
            .iter()
            .filter(|m| m.tier == tier && m.kind() == "Deployment")
            .map(|m| m.name().to_string())
            .collect()
    };
    assert_eq!(names(Tier::Databases), ["mysql", "redis"]);
    assert_eq!(
        names(Tier::Trillian),
        ["trillian-logserver", "trillian-logsigner"]
    );
    assert_eq!(names(Tier::Fulcio), ["fulcio"]);
    assert_eq!(names(Tier::Logs), ["rekor", "ctlog"]);

    let server = container_args(find(&manifests, "Deployment", "trillian-logserver"));
    for flag in [
        "--storage_system=mysql",
        "--quota_system=mysql",
        "--mysql_uri=$(MYSQL_USER):$(MYSQL_PASSWORD)@tcp(mysql.trillian-system.svc:3306)/$(MYSQL_DATABASE)?timeout=5s&readTimeout=10s&writeTimeout=10s",
        "--rpc_endpoint=0.0.0.0:8090",
        "--http_endpoint=0.0.0.0:8091",
    ] {
        assert!(
            server.contains(&flag.to_string()),
            "log server lacks {flag}: {server:?}"
        );
    }
    let signer = container_args(find(&manifests, "Deployment", "trillian-logsigner"));
    for flag in ["--force_master", "--sequencer_interval=100ms"] {
        assert!(signer.contains(&flag.to_string()), "signer lacks {flag}");
    }
    let rekor = container_args(find(&manifests, "Deployment", "rekor"));
    for flag in [
        "serve",
        "--trillian_log_server.address=trillian-logserver.trillian-system.svc",
        "--trillian_log_server.port=8090",
        "--trillian_log_server.tlog_id=$(TREE_ID)",
        "--rekor_server.signer=/var/run/rekor-key/private",
        "--rekor_server.hostname=rekor.rekor-system.svc",
        "--rekor_server.address=0.0.0.0",
    ] {
        assert!(rekor.contains(&flag.to_string()), "rekor lacks {flag}");
    }
    let fulcio = container_args(find(&manifests, "Deployment", "fulcio"));
    assert!(
        fulcio.contains(
            &"--ct-log-url=http://ctlog.ctlog-system.svc/sigstorescaffolding".to_string()
        )
    );
    let ctlog = container_args(find(&manifests, "Deployment", "ctlog"));
    assert!(ctlog.contains(&"--log_config=/ctfe-keys/config".to_string()));
    // Namespaces enforce the restricted profile.
    for ns in manifests.iter().filter(|m| m.kind() == "Namespace") {
        assert_eq!(
            ns.object["metadata"]["labels"]["pod-security.kubernetes.io/enforce"].as_str(),
            Some("restricted")
        );
    }
}

#[test]
fn set_overrides_reach_the_manifests_with_their_types() {
    let values = with_sets(&[
        "replicas.rekor=3",
        "namespaces.trillian=tl",
        "mysql.database=logs",
        "instance=blue",
        "ctlog.prefix=myprefix",
    ])
    .unwrap();
    let manifests = render(&values).unwrap();
    let rekor = find(&manifests, "Deployment", "rekor");
    assert_eq!(
        field(rekor, "spec.replicas"),
        &Value::from(3),
        "a number stays a number"
    );
    assert!(
        container_args(rekor)
            .contains(&"--trillian_log_server.address=trillian-logserver.tl.svc".to_string())
    );
    let mysql = find(&manifests, "Deployment", "mysql");
    assert_eq!(mysql.namespace(), Some("tl"));
    assert_eq!(
        field(mysql, "metadata.labels").get(LABEL_INSTANCE).unwrap(),
        "blue"
    );
    assert_eq!(
        field(mysql, "spec.selector.matchLabels")
            .get(LABEL_INSTANCE)
            .unwrap(),
        "blue"
    );
    let env = field(mysql, "spec.template.spec.containers.0.env")
        .as_sequence()
        .unwrap();
    assert!(
        env.iter()
            .any(|e| e["name"] == "MARIADB_DATABASE" && e["value"] == "logs")
    );
    // instance=blue derives the namespaces not set explicitly (as --name blue does).
    let fulcio = find(&manifests, "Deployment", "fulcio");
    assert!(
        container_args(fulcio)
            .contains(&"--ct-log-url=http://ctlog.blue-ctlog-system.svc/myprefix".to_string())
    );
}

#[test]
fn values_files_merge_in_order_before_set() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.yaml");
    let second = dir.path().join("second.yaml");
    std::fs::write(
        &first,
        "mysql:\n  database: one\n  user: alice\nreplicas:\n  fulcio: 2\n",
    )
    .unwrap();
    std::fs::write(&second, "mysql:\n  database: two\n").unwrap();
    let values = Values::load(&Overrides {
        files: vec![first, second],
        sets: vec!["mysql.user=bob".into()],
        image_registry: None,
        name: None,
    })
    .unwrap();
    assert_eq!(values.mysql.database, "two", "later file wins");
    assert_eq!(values.mysql.user, "bob", "--set wins over files");
    assert_eq!(values.replicas["fulcio"], 2);
    assert_eq!(
        values.namespaces.trillian, "trillian-system",
        "untouched keys keep defaults"
    );
}

#[test]
fn persistence_switches_the_data_volume_to_a_claim() {
    let manifests = render(&with_sets(&["mysql.persistence=true"]).unwrap()).unwrap();
    let claim = find(&manifests, "PersistentVolumeClaim", "mysql-data");
    assert!(
        claim.object["spec"].get("storageClassName").is_none(),
        "empty class: field left out"
    );
    let volumes = field(
        find(&manifests, "Deployment", "mysql"),
        "spec.template.spec.volumes",
    );
    assert_eq!(
        volumes[0]["persistentVolumeClaim"]["claimName"],
        "mysql-data"
    );

    let manifests =
        render(&with_sets(&["mysql.persistence=true", "mysql.storage_class=fast"]).unwrap())
            .unwrap();
    assert_eq!(
        find(&manifests, "PersistentVolumeClaim", "mysql-data").object["spec"]["storageClassName"],
        "fast"
    );

    let manifests = render(&Values::default()).unwrap();
    assert!(
        !manifests
            .iter()
            .any(|m| m.kind() == "PersistentVolumeClaim")
    );
    let volumes = field(
        find(&manifests, "Deployment", "mysql"),
        "spec.template.spec.volumes",
    );
    assert!(volumes[0]["emptyDir"].is_mapping());
}

#[test]
fn image_registry_rewrites_every_image() {
    let values = Values::load(&Overrides {
        image_registry: Some("mirror.example:5000/sigstore/".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        values.images["mariadb"],
        "mirror.example:5000/sigstore/library/mariadb:10.11"
    );
    assert_eq!(
        values.images["rekor"],
        "mirror.example:5000/sigstore/sigstore/rekor/rekor-server:v1.5.4"
    );
    let yaml = to_yaml(&render(&values).unwrap()).unwrap();
    let images: Vec<&str> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("image: "))
        .collect();
    assert_eq!(images.len(), 8);
    assert!(
        images
            .iter()
            .all(|i| i.starts_with("mirror.example:5000/sigstore/")),
        "{images:?}"
    );
    // An implicit docker.io reference gets the registry prepended.
    assert_eq!(
        sigstore_up::values::with_registry("redis:7", "r.example"),
        "r.example/redis:7"
    );
}

fn bad_input_message(result: anyhow::Result<Values>) -> String {
    let error = result.expect_err("must be refused");
    assert!(
        matches!(failure_of(&error), Some(Failure::BadInput(_))),
        "must be bad input (exit 2): {error:#}"
    );
    format!("{error:#}")
}

#[test]
fn bad_set_keys_and_values_are_refused_naming_the_key() {
    let message = bad_input_message(with_sets(&["replicas.rekr=2"]));
    assert!(
        message.contains("replicas.rekr") && message.contains("unknown key"),
        "{message}"
    );
    assert!(
        message.contains("replicas.rekor") && message.contains("images.fulcio"),
        "lists valid keys: {message}"
    );

    let message = bad_input_message(with_sets(&["replicas"]));
    assert!(message.contains("KEY=VALUE"), "{message}");

    let message = bad_input_message(with_sets(&["replicas=3"]));
    assert!(
        message.contains("unknown key"),
        "a section is not a key: {message}"
    );

    let message = bad_input_message(with_sets(&["replicas.rekor=many"]));
    assert!(
        message.contains("replicas.rekor") && message.contains("whole number"),
        "{message}"
    );

    let message = bad_input_message(with_sets(&["mysql.persistence=yes"]));
    assert!(message.contains("true or false"), "{message}");

    for (set, key) in [
        ("namespaces.rekor=Rekor_System", "namespaces.rekor"),
        ("resources.mariadb.memory=lots", "resources.mariadb.memory"),
        ("images.redis=has space", "images.redis"),
        ("replicas.fulcio=0", "replicas.fulcio"),
        ("mysql.database=drop table", "mysql.database"),
        (
            "trillian.sequencer_interval=100",
            "trillian.sequencer_interval",
        ),
        ("fulcio.issuer_url=ftp://x", "fulcio.issuer_url"),
        ("ctlog.prefix=a/b", "ctlog.prefix"),
        ("instance=-x", "instance"),
        ("tuf.lifetimes.timestamp=1w", "tuf.lifetimes.timestamp"),
        ("tuf.lifetimes.snapshot=5s", "tuf.lifetimes.snapshot"),
        ("tuf.lifetimes.targets=4000d", "tuf.lifetimes.targets"),
        ("namespaces.tuf=TUF", "namespaces.tuf"),
    ] {
        let message = bad_input_message(with_sets(&[set]));
        assert!(message.contains(key), "{set}: {message}");
    }
}

#[test]
fn bad_values_files_are_refused_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.yaml");
    for (content, expected) in [
        ("replicas:\n  rekr: 2\n", "unknown key replicas.rekr"),
        (
            "replicas:\n  rekor: two\n",
            "replicas.rekor: expected a whole number",
        ),
        ("replicas: 3\n", "replicas: expected a section"),
        ("- a\n- b\n", "expected a mapping"),
        ("mysql: [unclosed\n", "not valid YAML"),
    ] {
        std::fs::write(&file, content).unwrap();
        let message = bad_input_message(Values::load(&Overrides {
            files: vec![file.clone()],
            ..Default::default()
        }));
        assert!(
            message.contains(expected) && message.contains("v.yaml"),
            "{content:?}: {message}"
        );
    }
    let message = bad_input_message(Values::load(&Overrides {
        files: vec![dir.path().join("missing.yaml")],
        ..Default::default()
    }));
    assert!(message.contains("missing.yaml"), "{message}");
}

#[test]
fn engine_rules() {
    let mut placeholders: BTreeMap<String, Value> = BTreeMap::new();
    placeholders.insert("n".into(), Value::from(3));
    placeholders.insert("s".into(), Value::from("a: b\nc: [d]"));
    placeholders.insert("null".into(), Value::Null);
    placeholders.insert("map".into(), serde_yaml_ng::from_str("{x: 1}").unwrap());

    let docs = render_template(
        "t.yaml",
        "whole: \"{{ n }}\"\nembedded: \"x-{{ n }}-y\"\ninjected: \"{{ s }}\"\ngone: \"{{ null }}\"\nlist: [\"{{ null }}\", keep]\nobj: \"{{ map }}\"\n",
        &placeholders,
    )
    .unwrap();
    let doc = &docs[0];
    assert_eq!(
        doc["whole"],
        Value::from(3),
        "a whole placeholder keeps its type"
    );
    assert_eq!(doc["embedded"], Value::from("x-3-y"));
    assert_eq!(
        doc["injected"],
        Value::from("a: b\nc: [d]"),
        "values never become YAML structure"
    );
    assert!(doc.get("gone").is_none(), "null values leave the field out");
    assert_eq!(
        doc["list"],
        serde_yaml_ng::from_str::<Value>("[keep]").unwrap()
    );
    assert_eq!(doc["obj"]["x"], Value::from(1));

    let error = render_template("t.yaml", "a: \"{{ nope }}\"\n", &placeholders).unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("t.yaml") && message.contains("nope"),
        "{message}"
    );
    let error = render_template("t.yaml", "a: \"x {{ n\"\n", &placeholders).unwrap_err();
    assert!(format!("{error:#}").contains("unclosed"));
    let error = render_template("t.yaml", "a: \"x {{ map }}\"\n", &placeholders).unwrap_err();
    assert!(format!("{error:#}").contains("not a scalar"));
}

#[test]
fn teardown_knows_every_kind_the_templates_create() {
    let kinds: Vec<String> = all_kinds()
        .unwrap()
        .into_iter()
        .map(|(_, kind)| kind)
        .collect();
    for kind in [
        "Namespace",
        "Deployment",
        "Service",
        "ConfigMap",
        "PersistentVolumeClaim",
        "ClusterRoleBinding",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }
}

/// By default the only cluster-scoped objects are the instance's namespaces, and Fulcio gets its
/// own service-account token (only the token: no API access volume); the opt-in trades the
/// token for the cluster-wide anonymous binding; an issuer outside the cluster gets neither.
#[test]
fn fulcio_reads_discovery_with_its_own_token_unless_told_otherwise() {
    let cluster_scoped = |manifests: &[Manifest]| -> Vec<String> {
        manifests
            .iter()
            .filter(|m| m.namespace().is_none() && m.kind() != "Namespace")
            .map(|m| format!("{} {}", m.kind(), m.name()))
            .collect()
    };
    let token_mounts = |manifests: &[Manifest]| -> Vec<String> {
        let fulcio = find(manifests, "Deployment", "fulcio");
        assert_eq!(
            field(fulcio, "spec.template.spec.automountServiceAccountToken"),
            &Value::Bool(false)
        );
        let volumes = field(fulcio, "spec.template.spec.volumes");
        field(fulcio, "spec.template.spec.containers.0.volumeMounts")
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|m| m["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount")
            .map(|m| {
                let volume = volumes
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|v| v["name"] == m["name"])
                    .expect("the mounted volume exists");
                serde_yaml_ng::to_string(volume).unwrap()
            })
            .collect()
    };
    for profile in ["classic", "modern"] {
        let default = render(&with_sets(&[&format!("profile={profile}")]).unwrap()).unwrap();
        assert_eq!(cluster_scoped(&default), Vec::<String>::new(), "{profile}");
        let mounts = token_mounts(&default);
        assert_eq!(mounts.len(), 1, "{profile}: {mounts:?}");
        assert!(
            mounts[0].contains("serviceAccountToken")
                && mounts[0].contains("path: token")
                && mounts[0].contains("expirationSeconds: 3607")
                && !mounts[0].contains("configMap"),
            "{profile}: {}",
            mounts[0]
        );

        let opt_in = render(
            &with_sets(&[
                &format!("profile={profile}"),
                "fulcio.anonymous_oidc_discovery=true",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            cluster_scoped(&opt_in),
            vec!["ClusterRoleBinding sigstore-up-sigstore-oidc-discovery".to_string()],
            "{profile}"
        );
        let binding = find(
            &opt_in,
            "ClusterRoleBinding",
            "sigstore-up-sigstore-oidc-discovery",
        );
        assert_eq!(field(binding, "subjects.0.name"), "system:unauthenticated");
        assert_eq!(
            field(binding, "roleRef.name"),
            "system:service-account-issuer-discovery"
        );
        assert!(token_mounts(&opt_in).is_empty(), "{profile}");

        let external = render(
            &with_sets(&[
                &format!("profile={profile}"),
                "fulcio.issuer_url=https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(cluster_scoped(&external), Vec::<String>::new(), "{profile}");
        assert!(token_mounts(&external).is_empty(), "{profile}");
    }
}
