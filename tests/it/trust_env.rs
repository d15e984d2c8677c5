//! The CI environment: the env file (checked by sourcing it with a real shell), GitHub's
//! `$GITHUB_ENV` / `$GITHUB_OUTPUT` file-command format including multi-line values, and that
//! the OIDC token goes only where it is asked for and never into Debug output.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::run_ok;
use crate::support::trust::*;
use sigstore_up::trust::{OidcToken, TrustBundle, TrustEnv};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJhdWQiOlsic2lnc3RvcmUiXX0.c2lnbmF0dXJl";

#[test]
fn env_file_lists_the_familiar_names_in_a_fixed_order() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), in_cluster_endpoints())
        .with_oidc_token(OidcToken::new(TOKEN).unwrap());
    let env = bundle.env_for_dir(Path::new("/srv/trust"));
    let expected = format!(
        "# Written by sigstore-up. Load with: set -a; . ./env; set +a
REKOR_URL=http://rekor.rekor-system.svc
FULCIO_URL=http://fulcio.fulcio-system.svc
FULCIO_GRPC_URL=http://fulcio-grpc.fulcio-system.svc:5554
CTLOG_URL=http://ctlog.ctlog-system.svc/sigstorescaffolding
ISSUER_URL=https://kubernetes.default.svc.cluster.local
TRUSTED_ROOT=/srv/trust/trusted_root.json
SIGNING_CONFIG=/srv/trust/signing_config.json
TRUST_CONFIG=/srv/trust/client_trust_config.json
SIGSTORE_ROOT_FILE=/srv/trust/fulcio_root.pem
SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=/srv/trust/ctlog_public.pem
SIGSTORE_REKOR_PUBLIC_KEY=/srv/trust/rekor_public.pem
OIDC_TOKEN={TOKEN}
SIGSTORE_ID_TOKEN={TOKEN}
"
    );
    assert_eq!(env.to_env_file(), expected);

    // Without a token and without a gRPC URL those lines are simply absent.
    let plain = TrustBundle::new(&stack.material(), host_endpoints())
        .env_for_dir(Path::new("/srv/trust"))
        .to_env_file();
    for absent in ["OIDC_TOKEN", "SIGSTORE_ID_TOKEN", "FULCIO_GRPC_URL"] {
        assert!(!plain.contains(absent), "{absent} in:\n{plain}");
    }
    assert!(plain.contains("\nREKOR_URL=http://127.0.0.1:41002\n"));
}

/// Values a shell would mangle if written bare.
fn awkward_env() -> (TrustEnv, Vec<(&'static str, &'static str)>) {
    let values = vec![
        ("PLAIN", "http://127.0.0.1:8080/a-b_c.d@e%f+g,h=i"),
        ("SPACES", "/tmp/dir with spaces/trusted_root.json"),
        ("QUOTES", "it's \"quoted\""),
        ("SHELL", "$HOME `id` $(id) \\ ; & | < > * ?"),
        ("LINES", "first line\nsecond line\n"),
        ("EMPTY", ""),
    ];
    let mut env = TrustEnv::new();
    for (name, value) in &values {
        env.set(name, *value).unwrap();
    }
    (env, values)
}

#[test]
fn env_file_is_loaded_by_a_posix_shell_with_every_value_intact() {
    let (env, values) = awkward_env();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env");
    write(&path, env.to_env_file());

    let names: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
    let script = format!(
        "set -a; . \"$1\"; set +a; for n in {}; do eval \"printf '%s\\0' \\\"\\${{$n}}\\\"\"; done",
        names.join(" ")
    );
    let output = run_ok(Command::new("sh").args(["-c", &script, "sh"]).arg(&path));
    let printed: Vec<String> = output
        .stdout
        .split(|byte| *byte == 0)
        .map(|part| String::from_utf8(part.to_vec()).unwrap())
        .collect();
    for (index, (name, value)) in values.iter().enumerate() {
        assert_eq!(printed[index], *value, "{name}");
    }
}

/// Reads GitHub's file-command format as the runner documents it: `NAME=value`, or
/// `NAME<<DELIMITER`, value lines, a line equal to `DELIMITER`.
fn parse_github_file(text: &str) -> BTreeMap<String, String> {
    let mut parsed = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let heredoc = line.find("<<");
        let equals = line.find('=');
        match (heredoc, equals) {
            (Some(at), equals) if equals.is_none_or(|eq| at < eq) => {
                let (name, delimiter) = (&line[..at], &line[at + 2..]);
                let mut value_lines = Vec::new();
                loop {
                    let next = lines.next().expect("unterminated heredoc");
                    if next == delimiter {
                        break;
                    }
                    value_lines.push(next);
                }
                parsed.insert(name.to_string(), value_lines.join("\n"));
            }
            (_, Some(eq)) => {
                parsed.insert(line[..eq].to_string(), line[eq + 1..].to_string());
            }
            _ => panic!("not a file command: {line:?}"),
        }
    }
    parsed
}

#[test]
fn github_env_uses_the_heredoc_form_for_values_spanning_lines() {
    let mut env = TrustEnv::new();
    env.set("REKOR_URL", "http://127.0.0.1:41002").unwrap();
    env.set(
        "CHAIN",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    )
    .unwrap();
    assert_eq!(
        env.to_github_env(),
        "REKOR_URL=http://127.0.0.1:41002\n\
         CHAIN<<SIGSTORE_UP_EOF\n\
         -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\
         SIGSTORE_UP_EOF\n"
    );

    // A value containing the default delimiter gets another one.
    let mut tricky = TrustEnv::new();
    tricky
        .set("TRICKY", "a\nSIGSTORE_UP_EOF\nSIGSTORE_UP_EOF_1\nb")
        .unwrap();
    let text = tricky.to_github_env();
    assert!(text.starts_with("TRICKY<<SIGSTORE_UP_EOF_2\n"), "{text}");

    let (awkward, values) = awkward_env();
    let parsed = parse_github_file(&awkward.to_github_env());
    for (name, value) in values {
        assert_eq!(parsed[name], value, "{name}");
    }
    assert_eq!(
        parse_github_file(&text)["TRICKY"],
        "a\nSIGSTORE_UP_EOF\nSIGSTORE_UP_EOF_1\nb"
    );
}

#[test]
fn github_files_are_appended_to_and_outputs_never_carry_the_token() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), host_endpoints())
        .with_oidc_token(OidcToken::new(TOKEN).unwrap());
    let env = bundle.env_for_dir(Path::new("/srv/trust"));
    let dir = tempfile::tempdir().unwrap();
    let github_env = dir.path().join("github_env");
    let github_output = dir.path().join("github_output");
    write(&github_env, "EARLIER=kept\n");
    write(&github_output, "earlier=kept\n");

    env.append_to_github_env(&github_env).unwrap();
    env.append_to_github_output(&github_output).unwrap();

    let env_vars = parse_github_file(&std::fs::read_to_string(&github_env).unwrap());
    assert_eq!(env_vars["EARLIER"], "kept");
    assert_eq!(env_vars["OIDC_TOKEN"], TOKEN);
    assert_eq!(env_vars["SIGSTORE_ID_TOKEN"], TOKEN);
    assert_eq!(env_vars["TRUSTED_ROOT"], "/srv/trust/trusted_root.json");
    assert_eq!(env_vars.len(), 1 + env.names().count());

    let output_text = std::fs::read_to_string(&github_output).unwrap();
    assert!(!output_text.contains(TOKEN));
    let outputs = parse_github_file(&output_text);
    assert_eq!(outputs["earlier"], "kept");
    assert_eq!(outputs["rekor-url"], "http://127.0.0.1:41002");
    assert_eq!(outputs["trusted-root"], "/srv/trust/trusted_root.json");
    assert_eq!(
        outputs["sigstore-ct-log-public-key-file"],
        "/srv/trust/ctlog_public.pem"
    );
    assert!(!outputs.contains_key("oidc-token"));
    assert_eq!(outputs.len(), 1 + env.public_entries().count());
    assert_eq!(env.public_entries().count() + 2, env.names().count());
}

#[test]
fn the_token_never_shows_in_debug_output_or_errors() {
    let stack = TestStack::generate();
    let token = OidcToken::new(TOKEN).unwrap();
    let bundle =
        TrustBundle::new(&stack.material(), host_endpoints()).with_oidc_token(token.clone());
    let env = bundle.env_for_dir(Path::new("/srv/trust"));
    for debug in [
        format!("{token:?}"),
        format!("{bundle:?}"),
        format!("{bundle:#?}"),
        format!("{env:?}"),
    ] {
        assert!(!debug.contains(TOKEN), "{debug}");
        assert!(!debug.contains("c2lnbmF0dXJl"), "{debug}");
    }
    assert!(format!("{token:?}").contains("redacted"));
    assert!(
        env.public_entries()
            .all(|(_, value)| !value.contains(TOKEN))
    );
    assert_eq!(
        env.get("OIDC_TOKEN"),
        None,
        "get() does not hand out secrets"
    );

    let with_space = format!("{TOKEN} trailing");
    let error = OidcToken::new(with_space).unwrap_err().to_string();
    assert!(
        error.contains("whitespace") && !error.contains("c2lnbmF0dXJl"),
        "{error}"
    );
    let empty = OidcToken::new("").unwrap_err().to_string();
    assert!(empty.contains("empty"), "{empty}");
}

#[test]
fn variable_names_are_checked() {
    let mut env = TrustEnv::new();
    for bad in ["", "1ABC", "A-B", "A B", "A=B"] {
        let error = env.set(bad, "x").unwrap_err().to_string();
        assert!(
            error.contains("letters, digits and '_'"),
            "{bad:?}: {error}"
        );
    }
    for secret in ["OIDC_TOKEN", "SIGSTORE_ID_TOKEN"] {
        let error = env.set(secret, TOKEN).unwrap_err().to_string();
        assert!(
            error.contains("set_oidc_token") && !error.contains(TOKEN),
            "{error}"
        );
    }
    env.set("_OK_1", "first").unwrap();
    env.set("_OK_1", "second").unwrap();
    assert_eq!(env.get("_OK_1"), Some("second"));
    assert_eq!(env.names().count(), 1, "setting again replaces");
}
