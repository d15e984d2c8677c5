//! What a signing client needs: trusted_root.json, signing_config.json, the combined
//! ClientTrustConfig, PEM files and the CI environment. Built from public keys and certificates
//! (bytes), never from Kubernetes objects.
//!
//! One stack has one set of keys ([`TrustMaterial`]) but two audiences: clients inside the
//! cluster reach the services by Service DNS names, clients on the host through forwarded
//! ports. Each audience gets its own [`Endpoints`] and so its own [`TrustBundle`]:
//!
//! ```no_run
//! # use sigstore_up::trust::*;
//! # fn demo(material: &TrustMaterial, in_cluster: Endpoints, host: Endpoints) -> anyhow::Result<()> {
//! TrustBundle::new(material, in_cluster).write_to_dir("out/trust/cluster".as_ref())?;
//! TrustBundle::new(material, host).write_to_dir("out/trust/host".as_ref())?;
//! # Ok(()) }
//! ```

mod env;
mod error;
mod keys;
mod service_url;
mod signing_config;
mod timestamp;
mod trusted_root;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub use env::{GithubFilesWritten, OidcToken, TrustEnv, names as env_names};
pub use error::TrustInputError;
pub use keys::{CertificateChain, KeyDetails, LogId, PublicKey};

/// Where a timestamp authority takes RFC 3161 requests, under its base URL.
pub const TSA_TIMESTAMP_PATH: &str = "api/v1/timestamp";
pub use service_url::ServiceUrl;
pub use signing_config::{
    CLIENT_TRUST_CONFIG_MEDIA_TYPE, ClientTrustConfig, DEFAULT_OPERATOR, SIGNING_CONFIG_MEDIA_TYPE,
    SigningConfig,
};
pub use timestamp::Timestamp;
pub use trusted_root::{
    CertificateAuthority, TRUSTED_ROOT_MEDIA_TYPE, TransparencyLog, TrustedRoot,
};

/// File names [`TrustBundle::write_to_dir`] writes.
pub mod file_names {
    pub const TRUSTED_ROOT: &str = "trusted_root.json";
    pub const SIGNING_CONFIG: &str = "signing_config.json";
    pub const CLIENT_TRUST_CONFIG: &str = "client_trust_config.json";
    /// The Fulcio chain, leaf-most first, root last.
    pub const FULCIO_ROOT: &str = "fulcio_root.pem";
    pub const CTLOG_PUBLIC: &str = "ctlog_public.pem";
    pub const REKOR_PUBLIC: &str = "rekor_public.pem";
    /// The TUF root of the stack's repository (when it serves one).
    pub const TUF_ROOT: &str = "root.json";
    /// The timestamp authority's chain, signing certificate first (only with a TSA).
    pub const TSA_CHAIN: &str = "tsa_chain.pem";
    pub const ENV: &str = "env";
    /// Every file a trust directory may hold (what teardown removes).
    pub const ALL: &[&str] = &[
        TRUSTED_ROOT,
        SIGNING_CONFIG,
        CLIENT_TRUST_CONFIG,
        FULCIO_ROOT,
        CTLOG_PUBLIC,
        REKOR_PUBLIC,
        TUF_ROOT,
        TSA_CHAIN,
        ENV,
    ];
}

/// The stack's public keys and certificates, and how its logs know themselves: the same for
/// every audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustMaterial {
    pub rekor_public_key: PublicKey,
    /// When the Rekor key started signing (at or before its first entry, and in the past).
    pub rekor_valid_from: Timestamp,
    /// How Rekor knows itself: `http://<origin>`, where the origin is the name it signs its
    /// checkpoints as (`rekor.<namespace>.svc`). trusted_root.json names the log by it in every
    /// audience, because verifiers match a checkpoint's signer name against it.
    pub rekor_url: ServiceUrl,
    /// 1: Rekor on Trillian; 2: Rekor on tiles (its log ID is the signed-note key hash).
    pub rekor_major_api_version: u32,
    pub ctlog_public_key: PublicKey,
    /// When the CT log key started signing (at or before its first SCT, and in the past).
    pub ctlog_valid_from: Timestamp,
    /// The CT log's own URL (Fulcio's `--ct-log-url`; for TesseraCT, `http://<origin>`).
    pub ctlog_url: ServiceUrl,
    /// Fulcio's CA chain; its validity starts at the root's notBefore.
    pub fulcio_chain: CertificateChain,
    /// The timestamp authority's chain (signing certificate first), when the stack runs one.
    pub tsa_chain: Option<CertificateChain>,
}

impl TrustMaterial {
    /// The earliest start of any key or certificate: from then on the stack can sign.
    pub fn earliest_valid_from(&self) -> Timestamp {
        let start = self
            .rekor_valid_from
            .min(self.ctlog_valid_from)
            .min(self.fulcio_chain.root_not_before());
        match &self.tsa_chain {
            Some(chain) => start.min(chain.root_not_before()),
            None => start,
        }
    }

    /// The checkpoint origin: Rekor's URL without its scheme.
    pub fn rekor_origin(&self) -> &str {
        self.rekor_url.without_scheme()
    }

    /// Rekor's log ID: SHA-256 of its key for Rekor v1, the signed-note key hash of its origin
    /// and key for Rekor v2.
    pub fn rekor_log_id(&self) -> LogId {
        if self.rekor_major_api_version >= 2 {
            self.rekor_public_key.note_log_id(self.rekor_origin())
        } else {
            self.rekor_public_key.log_id()
        }
    }
}

/// Where one audience reaches the stack's services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// e.g. `http://fulcio.fulcio-system.svc` or `http://127.0.0.1:41234`.
    pub fulcio: ServiceUrl,
    /// Fulcio's gRPC port, if this audience can reach it; only reported in the environment.
    pub fulcio_grpc: Option<ServiceUrl>,
    /// e.g. `http://rekor.rekor-system.svc`.
    pub rekor: ServiceUrl,
    /// The CT log with its prefix, e.g. `http://ctlog.ctlog-system.svc/sigstorescaffolding`.
    pub ctlog: ServiceUrl,
    /// The timestamp authority's base URL, when the stack runs one.
    pub tsa: Option<ServiceUrl>,
    /// The OIDC issuer, exactly as in tokens' `iss` (the same for every audience).
    pub oidc_issuer: ServiceUrl,
}

/// Everything one audience of clients needs, ready to be written to a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustBundle {
    pub trusted_root: TrustedRoot,
    pub signing_config: SigningConfig,
    pub endpoints: Endpoints,
    /// When set, the env file (and `$GITHUB_ENV`) carry it as OIDC_TOKEN and SIGSTORE_ID_TOKEN.
    pub oidc_token: Option<OidcToken>,
    /// The stack's TUF repository as this audience reaches it, when it serves one.
    pub tuf: Option<TufMirror>,
}

/// Where one audience finds the stack's TUF repository, and the root to start from: root.json is
/// written beside the other files, TUF_MIRROR and TUF_ROOT_JSON go into the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TufMirror {
    /// e.g. `http://tuf.tuf-system.svc/cluster` or `http://127.0.0.1:8080/host`.
    pub mirror: ServiceUrl,
    /// The signed root.json, byte for byte what the repository serves.
    pub root_json: Vec<u8>,
}

/// Where [`TrustBundle::write_to_dir`] put things, and the environment pointing at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenBundle {
    /// Absolute path of the directory.
    pub dir: PathBuf,
    /// The environment also written to `dir/env`; append it to GitHub's files with
    /// [`TrustEnv::append_to_github_files`].
    pub env: TrustEnv,
}

impl TrustBundle {
    /// The trusted root names each log as the log knows itself (the same in every audience)
    /// and the CA and TSA by this audience's URLs; the signing config names this audience's
    /// URLs. Services are valid from the earliest key or certificate start (a fixed past time,
    /// so re-runs give the same bytes).
    pub fn new(material: &TrustMaterial, endpoints: Endpoints) -> Self {
        let trusted_root = TrustedRoot {
            rekor: TransparencyLog {
                base_url: material.rekor_url.clone(),
                public_key: material.rekor_public_key.clone(),
                log_id: material.rekor_log_id(),
                valid_from: material.rekor_valid_from,
            },
            ctlog: TransparencyLog {
                base_url: material.ctlog_url.clone(),
                public_key: material.ctlog_public_key.clone(),
                log_id: material.ctlog_public_key.log_id(),
                valid_from: material.ctlog_valid_from,
            },
            fulcio: CertificateAuthority {
                url: endpoints.fulcio.clone(),
                chain: material.fulcio_chain.clone(),
            },
            tsa: match (&material.tsa_chain, &endpoints.tsa) {
                (Some(chain), Some(url)) => Some(CertificateAuthority {
                    url: url.clone(),
                    chain: chain.clone(),
                }),
                _ => None,
            },
        };
        let signing_config = SigningConfig {
            fulcio_url: endpoints.fulcio.clone(),
            oidc_issuer: endpoints.oidc_issuer.clone(),
            rekor_url: endpoints.rekor.clone(),
            rekor_major_api_version: material.rekor_major_api_version,
            tsa_url: match (&material.tsa_chain, &endpoints.tsa) {
                (Some(_), Some(url)) => Some(url.with_path(TSA_TIMESTAMP_PATH)),
                _ => None,
            },
            valid_from: material.earliest_valid_from(),
            operator: DEFAULT_OPERATOR.to_string(),
        };
        TrustBundle {
            trusted_root,
            signing_config,
            endpoints,
            oidc_token: None,
            tuf: None,
        }
    }

    pub fn with_tuf(mut self, tuf: TufMirror) -> Self {
        self.tuf = Some(tuf);
        self
    }

    pub fn with_oidc_token(mut self, token: OidcToken) -> Self {
        self.oidc_token = Some(token);
        self
    }

    pub fn client_trust_config(&self) -> ClientTrustConfig {
        ClientTrustConfig {
            trusted_root: self.trusted_root.clone(),
            signing_config: self.signing_config.clone(),
        }
    }

    /// The environment for a bundle written to `dir` (paths are `dir` joined with the file
    /// names; pass an absolute `dir`).
    pub fn env_for_dir(&self, dir: &Path) -> TrustEnv {
        use env_names as n;
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let endpoints = &self.endpoints;
        let mut env = TrustEnv::new();
        let mut set = |name: &str, value: String| {
            env.set(name, value).expect("the standard names are valid");
        };
        set(n::REKOR_URL, endpoints.rekor.to_string());
        set(n::FULCIO_URL, endpoints.fulcio.to_string());
        if let Some(grpc) = &endpoints.fulcio_grpc {
            set(n::FULCIO_GRPC_URL, grpc.to_string());
        }
        set(n::CTLOG_URL, endpoints.ctlog.to_string());
        if let Some(tsa) = &endpoints.tsa {
            set(n::TSA_URL, tsa.to_string());
        }
        set(n::ISSUER_URL, endpoints.oidc_issuer.to_string());
        set(n::TRUSTED_ROOT, path(file_names::TRUSTED_ROOT));
        set(n::SIGNING_CONFIG, path(file_names::SIGNING_CONFIG));
        set(n::TRUST_CONFIG, path(file_names::CLIENT_TRUST_CONFIG));
        set(n::SIGSTORE_ROOT_FILE, path(file_names::FULCIO_ROOT));
        set(
            n::SIGSTORE_CT_LOG_PUBLIC_KEY_FILE,
            path(file_names::CTLOG_PUBLIC),
        );
        set(n::SIGSTORE_REKOR_PUBLIC_KEY, path(file_names::REKOR_PUBLIC));
        if let Some(tuf) = &self.tuf {
            set(n::TUF_MIRROR, tuf.mirror.to_string());
            set(n::TUF_ROOT_JSON, path(file_names::TUF_ROOT));
        }
        if let Some(token) = &self.oidc_token {
            env.set_oidc_token(token);
        }
        env
    }

    /// Writes every file (see [`file_names`]) into `dir`, creating it. Each file is replaced
    /// atomically (written beside it, then renamed), so readers never see half a file; the
    /// same bundle and directory give byte-identical files. The env file is private (0600)
    /// when it carries the token.
    pub fn write_to_dir(&self, dir: &Path) -> anyhow::Result<WrittenBundle> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the trust directory {}", dir.display()))?;
        let dir = std::fs::canonicalize(dir)
            .with_context(|| format!("resolving the trust directory {}", dir.display()))?;
        let env = self.env_for_dir(&dir);

        let public_files = [
            (file_names::TRUSTED_ROOT, self.trusted_root.to_json()),
            (file_names::SIGNING_CONFIG, self.signing_config.to_json()),
            (
                file_names::CLIENT_TRUST_CONFIG,
                self.client_trust_config().to_json(),
            ),
            (
                file_names::FULCIO_ROOT,
                self.trusted_root.fulcio.chain.to_pem(),
            ),
            (
                file_names::CTLOG_PUBLIC,
                self.trusted_root.ctlog.public_key.to_pem(),
            ),
            (
                file_names::REKOR_PUBLIC,
                self.trusted_root.rekor.public_key.to_pem(),
            ),
        ];
        for (name, contents) in public_files {
            write_atomically(&dir.join(name), contents.as_bytes(), 0o644)?;
        }
        if let Some(tuf) = &self.tuf {
            write_atomically(&dir.join(file_names::TUF_ROOT), &tuf.root_json, 0o644)?;
        }
        let tsa_file = dir.join(file_names::TSA_CHAIN);
        match &self.trusted_root.tsa {
            Some(tsa) => write_atomically(&tsa_file, tsa.chain.to_pem().as_bytes(), 0o644)?,
            // A stack that no longer runs a TSA must not leave a stale chain behind.
            None => match std::fs::remove_file(&tsa_file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", tsa_file.display()));
                }
                _ => {}
            },
        }
        let env_mode = if env.has_secrets() { 0o600 } else { 0o644 };
        write_atomically(
            &dir.join(file_names::ENV),
            env.to_env_file().as_bytes(),
            env_mode,
        )?;

        Ok(WrittenBundle { dir, env })
    }
}

/// Writes `contents` to a temporary file in the same directory, flushes it to disk, and renames
/// it over `path`. The temporary file is created with `mode` already set, so a secret is never
/// readable by others, not even briefly.
fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};

    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .expect("trust file names are plain");
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&temporary)?;
        // `mode` is filtered by the umask on creation; a leftover file keeps its old mode.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("writing {}", path.display()))
}
