//! Every pod template passes the `restricted` Pod Security Standard, checked by our own reading of
//! the standard's rules (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
//! profile "restricted", version "latest"), which includes every "baseline" rule.
//! The checker is also run on pods that break each rule, so it is known to catch them.

use serde_json::{Value, json};
use sigstore_up::render::render;
use sigstore_up::values::{Overrides, Values};

/// Baseline: capabilities that may be added (restricted narrows this further).
const RESTRICTED_ADDABLE_CAPABILITIES: &[&str] = &["NET_BIND_SERVICE"];
/// Restricted: the only volume types allowed.
const ALLOWED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
/// Baseline: sysctls considered safe.
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SELINUX_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// Every violation of the restricted profile in a pod spec (empty: the pod is admitted).
fn restricted_violations(pod: &Value) -> Vec<String> {
    let mut v = Vec::new();
    let pod_sc = &pod["securityContext"];
    let containers: Vec<&Value> = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|key| pod[*key].as_array().into_iter().flatten())
        .collect();
    let is_true = |x: &Value| x.as_bool() == Some(true);

    // --- baseline ---
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(&pod[key]) {
            v.push(format!("{key} is true"));
        }
    }
    if is_true(&pod_sc["windowsOptions"]["hostProcess"]) {
        v.push("pod windowsOptions.hostProcess".into());
    }
    for volume in pod["volumes"].as_array().into_iter().flatten() {
        let kinds: Vec<&String> = volume
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "name")
            .collect();
        for kind in kinds {
            if !ALLOWED_VOLUME_TYPES.contains(&kind.as_str()) {
                v.push(format!("volume {} has type {kind}", volume["name"]));
            }
        }
    }
    for sysctl in pod_sc["sysctls"].as_array().into_iter().flatten() {
        let name = sysctl["name"].as_str().unwrap_or_default();
        if !SAFE_SYSCTLS.contains(&name) {
            v.push(format!("unsafe sysctl {name}"));
        }
    }
    let check_selinux = |sc: &Value, who: &str, v: &mut Vec<String>| {
        let se = &sc["seLinuxOptions"];
        if !SELINUX_TYPES.contains(&se["type"].as_str().unwrap_or_default()) {
            v.push(format!("{who}: seLinuxOptions.type {}", se["type"]));
        }
        if !se["user"].is_null() || !se["role"].is_null() {
            v.push(format!("{who}: seLinuxOptions user/role set"));
        }
    };
    check_selinux(pod_sc, "pod", &mut v);
    let check_apparmor = |sc: &Value, who: &str, v: &mut Vec<String>| {
        let kind = sc["appArmorProfile"]["type"]
            .as_str()
            .unwrap_or("RuntimeDefault");
        if kind == "Unconfined" {
            v.push(format!("{who}: appArmorProfile Unconfined"));
        }
    };
    check_apparmor(pod_sc, "pod", &mut v);

    // --- restricted, pod level ---
    let pod_non_root = is_true(&pod_sc["runAsNonRoot"]);
    if pod_sc["runAsUser"].as_i64() == Some(0) {
        v.push("pod runAsUser 0".into());
    }
    let pod_seccomp = pod_sc["seccompProfile"]["type"].as_str();
    if pod_seccomp == Some("Unconfined") {
        v.push("pod seccompProfile Unconfined".into());
    }
    let seccomp_ok = |t: Option<&str>| matches!(t, Some("RuntimeDefault") | Some("Localhost"));

    for c in containers {
        let name = c["name"].as_str().unwrap_or("?");
        let sc = &c["securityContext"];
        let who = format!("container {name}");
        // baseline
        if is_true(&sc["privileged"]) {
            v.push(format!("{who}: privileged"));
        }
        if is_true(&sc["windowsOptions"]["hostProcess"]) {
            v.push(format!("{who}: hostProcess"));
        }
        for port in c["ports"].as_array().into_iter().flatten() {
            if port["hostPort"].as_i64().unwrap_or(0) != 0 {
                v.push(format!("{who}: hostPort {}", port["hostPort"]));
            }
        }
        if sc["procMount"].as_str().is_some_and(|m| m != "Default") {
            v.push(format!("{who}: procMount {}", sc["procMount"]));
        }
        check_selinux(sc, &who, &mut v);
        check_apparmor(sc, &who, &mut v);
        // restricted
        if sc["allowPrivilegeEscalation"].as_bool() != Some(false) {
            v.push(format!("{who}: allowPrivilegeEscalation is not false"));
        }
        let container_non_root = &sc["runAsNonRoot"];
        if container_non_root.as_bool() == Some(false)
            || (!pod_non_root && !is_true(container_non_root))
        {
            v.push(format!("{who}: runAsNonRoot is not true"));
        }
        if sc["runAsUser"].as_i64() == Some(0) {
            v.push(format!("{who}: runAsUser 0"));
        }
        let container_seccomp = sc["seccompProfile"]["type"].as_str();
        if container_seccomp == Some("Unconfined")
            || !(seccomp_ok(container_seccomp) || seccomp_ok(pod_seccomp))
        {
            v.push(format!(
                "{who}: seccompProfile is not RuntimeDefault or Localhost"
            ));
        }
        let drops: Vec<&str> = sc["capabilities"]["drop"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !drops.contains(&"ALL") {
            v.push(format!("{who}: capabilities do not drop ALL"));
        }
        for added in sc["capabilities"]["add"].as_array().into_iter().flatten() {
            if !RESTRICTED_ADDABLE_CAPABILITIES.contains(&added.as_str().unwrap_or_default()) {
                v.push(format!("{who}: adds capability {added}"));
            }
        }
    }
    v
}

/// Every pod template of every rendering we ship: defaults and with the optional templates on.
fn pod_templates() -> Vec<(String, Value)> {
    let with_options = Values::load(&Overrides {
        sets: vec![
            "mysql.persistence=true".into(),
            "mysql.storage_class=fast".into(),
        ],
        ..Default::default()
    })
    .unwrap();
    let mut pods = Vec::new();
    for values in [Values::default(), with_options] {
        for manifest in render(&values).unwrap() {
            let object = serde_json::to_value(&manifest.object).unwrap();
            if let Some(pod) = object.pointer("/spec/template/spec") {
                pods.push((manifest.describe(), pod.clone()));
            }
        }
    }
    pods
}

#[test]
fn every_pod_template_passes_the_restricted_profile() {
    let pods = pod_templates();
    assert_eq!(pods.len(), 16, "8 workloads, rendered twice");
    for (what, pod) in pods {
        let violations = restricted_violations(&pod);
        assert!(
            violations.is_empty(),
            "{what} violates restricted: {violations:#?}"
        );
    }
}

/// A pod that passes, from which each case below breaks one rule.
fn compliant_pod() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app",
            "image": "x",
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
        }],
        "volumes": [{"name": "tmp", "emptyDir": {}}]
    })
}

/// Breaks one rule in a compliant pod.
type Breaker = dyn Fn(&mut Value);

#[test]
fn the_checker_catches_each_rule() {
    assert!(restricted_violations(&compliant_pod()).is_empty());
    let breakers: &[(&str, &Breaker)] = &[
        ("hostNetwork", &|p| p["hostNetwork"] = json!(true)),
        ("hostPID", &|p| p["hostPID"] = json!(true)),
        ("hostIPC", &|p| p["hostIPC"] = json!(true)),
        ("hostPath", &|p| {
            p["volumes"][0] = json!({"name": "h", "hostPath": {"path": "/"}})
        }),
        ("privileged", &|p| {
            p["containers"][0]["securityContext"]["privileged"] = json!(true)
        }),
        ("hostPort", &|p| {
            p["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 80}])
        }),
        ("escalation unset", &|p| {
            p["containers"][0]["securityContext"]
                .as_object_mut()
                .unwrap()
                .remove("allowPrivilegeEscalation");
        }),
        ("runAsNonRoot unset", &|p| {
            p["securityContext"]
                .as_object_mut()
                .unwrap()
                .remove("runAsNonRoot");
        }),
        ("container runAsNonRoot false", &|p| {
            p["containers"][0]["securityContext"]["runAsNonRoot"] = json!(false)
        }),
        ("runAsUser 0", &|p| {
            p["containers"][0]["securityContext"]["runAsUser"] = json!(0)
        }),
        ("seccomp unset", &|p| {
            p["securityContext"]
                .as_object_mut()
                .unwrap()
                .remove("seccompProfile");
        }),
        ("seccomp unconfined", &|p| {
            p["containers"][0]["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"})
        }),
        ("no drop ALL", &|p| {
            p["containers"][0]["securityContext"]["capabilities"] = json!({"drop": ["NET_RAW"]})
        }),
        ("adds SYS_ADMIN", &|p| {
            p["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["SYS_ADMIN"])
        }),
        ("procMount", &|p| {
            p["containers"][0]["securityContext"]["procMount"] = json!("Unmasked")
        }),
        ("unsafe sysctl", &|p| {
            p["securityContext"]["sysctls"] = json!([{"name": "kernel.msgmax", "value": "1"}])
        }),
        ("init container", &|p| {
            p["initContainers"] = json!([{"name": "init", "image": "x"}])
        }),
    ];
    for (rule, breaks) in breakers {
        let mut pod = compliant_pod();
        breaks(&mut pod);
        assert!(
            !restricted_violations(&pod).is_empty(),
            "the checker missed: {rule}"
        );
    }
    // NET_BIND_SERVICE is the one capability restricted allows adding.
    let mut pod = compliant_pod();
    pod["containers"][0]["securityContext"]["capabilities"]["add"] = json!(["NET_BIND_SERVICE"]);
    assert!(restricted_violations(&pod).is_empty());
}

#[test]
fn pods_also_follow_the_house_rules() {
    for (what, pod) in pod_templates() {
        assert_eq!(
            pod["enableServiceLinks"],
            json!(false),
            "{what}: service links off"
        );
        let sc = &pod["securityContext"];
        assert!(
            sc["runAsUser"].as_i64().is_some(),
            "{what}: explicit runAsUser"
        );
        for c in pod["containers"].as_array().unwrap() {
            let name = &c["name"];
            assert_eq!(c["imagePullPolicy"], json!("IfNotPresent"), "{what} {name}");
            assert_eq!(
                c["securityContext"]["readOnlyRootFilesystem"],
                json!(true),
                "{what} {name}: read-only root filesystem"
            );
            for resource in ["cpu", "memory"] {
                assert!(
                    c["resources"]["requests"][resource].is_string(),
                    "{what} {name}: {resource} request"
                );
            }
            for probe in ["readinessProbe", "livenessProbe"] {
                let p = &c[probe];
                assert!(p.is_object(), "{what} {name}: {probe}");
                assert!(
                    p.get("initialDelaySeconds").is_none(),
                    "{what} {name}: {probe} without initial delay"
                );
                let period = p["periodSeconds"].as_i64().unwrap_or(10);
                assert!(
                    (1..=2).contains(&period),
                    "{what} {name}: {probe} period {period}"
                );
            }
        }
    }
}
