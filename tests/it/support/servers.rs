//! Real servers for the setup tests, started on loopback with temporary directories and stopped
//! (killed by pid) when their guard drops, also when a test fails. The tests run in parallel
//! threads of one process: every server gets its own ports and directories, and the one fixed
//! port (Rekor's metrics) is taken in turn.

use std::fs::File;
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{KillOnDrop, free_port, http_get, loopback, test_binary};

/// How long any server may take to come up before a test gives up. Not an assertion on speed:
/// only a guard against hanging forever when something is broken.
pub const STARTUP_LIMIT: Duration = Duration::from_secs(90);

/// A child process whose output goes to a log file; killed when dropped.
pub struct Server {
    name: String,
    child: KillOnDrop,
    log_path: PathBuf,
}

impl Server {
    /// Starts `program` with `args`, stdout and stderr to `<log_dir>/<name>.log`.
    pub fn spawn(name: &str, program: &Path, args: &[String], log_dir: &Path) -> Server {
        let log_path = log_dir.join(format!("{name}.log"));
        let log = File::create(&log_path).expect("create server log");
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log);
        // If the test process dies without unwinding (SIGKILL), the kernel kills the server
        // too. The signal follows the spawning thread, so servers are spawned from the test's
        // own thread (tokio's current-thread runtime), never from a pool thread.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {name} ({}): {e}", program.display()));
        Server {
            name: name.to_owned(),
            child: KillOnDrop(child),
            log_path,
        }
    }

    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log_path) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Panics with the server's log if it has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.0.try_wait() {
            panic!("{} exited ({status}); its log:\n{}", self.name, self.log());
        }
    }

    /// Panics if any log line contains one of `needles` (case-insensitive).
    pub fn assert_log_free_of(&self, needles: &[&str]) {
        let log = self.log();
        for line in log.lines() {
            let lower = line.to_ascii_lowercase();
            if let Some(needle) = needles
                .iter()
                .find(|n| lower.contains(&n.to_ascii_lowercase()))
            {
                panic!(
                    "{} logged {needle:?}:\n{line}\n\nfull log:\n{log}",
                    self.name
                );
            }
        }
    }

    /// Panics if the log has klog error or fatal lines (`E1125 09:47:26.573 ...`), the way the
    /// Go servers built on klog (Trillian, ct_server) report trouble.
    pub fn assert_no_klog_errors(&self) {
        let log = self.log();
        let errors: Vec<&str> = log
            .lines()
            .filter(|line| {
                let mut chars = line.chars();
                matches!(chars.next(), Some('E' | 'F')) && chars.take(4).all(|c| c.is_ascii_digit())
            })
            .collect();
        assert!(
            errors.is_empty(),
            "{} logged errors:\n{}",
            self.name,
            errors.join("\n")
        );
    }

    /// Waits until `addr` accepts TCP connections (or the server exits / the limit passes).
    pub fn wait_for_port(&mut self, addr: SocketAddr) {
        self.wait_until(&format!("{addr} to accept connections"), || {
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
        });
    }

    /// Waits until `GET url` answers 200 and returns the body.
    pub fn wait_for_http_ok(&mut self, url: &str) -> String {
        let mut body = None;
        self.wait_until(&format!("GET {url} to answer 200"), || {
            match http_get(url) {
                Ok((200, text)) => {
                    body = Some(text);
                    true
                }
                _ => false,
            }
        });
        body.unwrap_or_default()
    }

    /// Waits for the server to exit on its own; returns its log.
    pub fn wait_for_exit(&mut self) -> String {
        let started = Instant::now();
        loop {
            if let Ok(Some(_)) = self.child.0.try_wait() {
                return self.log();
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!("{} kept running; its log:\n{}", self.name, self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_until(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        let started = Instant::now();
        loop {
            self.assert_running();
            if ready() {
                return;
            }
            if started.elapsed() > STARTUP_LIMIT {
                panic!(
                    "gave up waiting for {what} ({}); its log:\n{}",
                    self.name,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A throw-away MariaDB (Debian's mariadbd) on a loopback port, root without a password.
pub struct Mariadb {
    // Field order is drop order: the server stops before its directory is removed.
    server: Server,
    pub port: u16,
    _dir: TempDir,
}

impl Mariadb {
    pub async fn start() -> Mariadb {
        Mariadb::start_on_port(free_port()).await
    }

    pub async fn start_on_port(port: u16) -> Mariadb {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        // An own temporary directory: instances installing in parallel with a shared /tmp have
        // collided on temporary table files ("Unknown table 'mysql.tmp_user_sys'").
        let tmp = dir.path().join("tmp");
        std::fs::create_dir(&tmp).expect("create MariaDB tmpdir");
        let install = Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", tmp.display()))
            .output()
            .expect("run mariadb-install-db (Debian package mariadb-server)");
        assert!(
            install.status.success(),
            "mariadb-install-db failed: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let args = vec![
            "--no-defaults".to_owned(),
            format!("--datadir={}", data.display()),
            format!("--tmpdir={}", tmp.display()),
            "--user=root".to_owned(),
            "--bind-address=127.0.0.1".to_owned(),
            format!("--port={port}"),
            format!("--socket={}", dir.path().join("mysqld.sock").display()),
            format!("--pid-file={}", dir.path().join("mysqld.pid").display()),
            "--skip-name-resolve".to_owned(),
            "--innodb-buffer-pool-size=64M".to_owned(),
        ];
        let server = Server::spawn(
            "mariadbd",
            Path::new("/usr/sbin/mariadbd"),
            &args,
            dir.path(),
        );
        let mariadb = Mariadb {
            server,
            port,
            _dir: dir,
        };
        sigstore_up::setup::schema::wait_until_accepting(&mariadb.root_url("mysql"), STARTUP_LIMIT)
            .await
            .unwrap_or_else(|e| panic!("MariaDB did not come up: {e}\n{}", mariadb.server.log()));
        mariadb
    }

    /// root over TCP (install-db creates root@127.0.0.1 without a password).
    pub fn root_url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates `database` and a user with all privileges on it; returns that user's URL.
    pub async fn create_database(&self, database: &str, user: &str, password: &str) -> String {
        use mysql_async::prelude::Queryable;
        let mut conn = mysql_async::Conn::new(
            mysql_async::Opts::from_url(&self.root_url("mysql")).expect("root URL"),
        )
        .await
        .expect("connect as root");
        conn.query_drop(format!(
            "CREATE DATABASE `{database}`; \
             CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'; \
             GRANT ALL ON `{database}`.* TO '{user}'@'%'"
        ))
        .await
        .expect("create database and user");
        conn.disconnect().await.expect("disconnect");
        format!(
            "mysql://{user}:{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// Runs SQL as root in `database`.
    pub async fn root_exec(&self, database: &str, sql: &str) {
        use mysql_async::prelude::Queryable;
        let mut conn =
            mysql_async::Conn::new(mysql_async::Opts::from_url(&self.root_url(database)).unwrap())
                .await
                .expect("connect as root");
        conn.query_drop(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.disconnect().await.expect("disconnect");
    }

    /// Runs a query as root in `database` and returns the rows as strings.
    pub async fn root_query(&self, database: &str, sql: &str) -> Vec<Vec<Option<String>>> {
        use mysql_async::prelude::Queryable;
        let mut conn =
            mysql_async::Conn::new(mysql_async::Opts::from_url(&self.root_url(database)).unwrap())
                .await
                .expect("connect as root");
        let rows: Vec<mysql_async::Row> = conn
            .query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.disconnect().await.expect("disconnect");
        rows.into_iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        row.get_opt::<Option<String>, _>(i)
                            .and_then(Result::ok)
                            .flatten()
                    })
                    .collect()
            })
            .collect()
    }
}

/// Real trillian_log_server + trillian_log_signer (`--force_master`) on a MariaDB whose schema
/// was created by `ensure_schema`.
pub struct TrillianStack {
    // Drop order: Trillian stops before its database (avoids reconnect noise), the database
    // before the directories.
    pub signer: Server,
    pub log_server: Server,
    /// The log server's gRPC address (admin + log API).
    pub rpc: SocketAddr,
    pub db: Mariadb,
    _logs: TempDir,
}

impl TrillianStack {
    pub const DATABASE: &'static str = "trillian";

    pub async fn start() -> TrillianStack {
        let db = Mariadb::start().await;
        let password = "trillian-test-pw";
        let url = db
            .create_database(Self::DATABASE, "trillian", password)
            .await;
        sigstore_up::setup::schema::ensure_schema(&url)
            .await
            .expect("create the Trillian schema");
        let mysql_uri = format!(
            "trillian:{password}@tcp(127.0.0.1:{})/{}",
            db.port,
            Self::DATABASE
        );
        let logs = tempfile::tempdir().expect("temp dir");

        let (rpc_port, http_port) = (free_port(), free_port());
        let common = |rpc: u16, http: u16| {
            vec![
                "--storage_system=mysql".to_owned(),
                "--quota_system=mysql".to_owned(),
                format!("--mysql_uri={mysql_uri}"),
                format!("--rpc_endpoint=127.0.0.1:{rpc}"),
                format!("--http_endpoint=127.0.0.1:{http}"),
                "--alsologtostderr".to_owned(),
            ]
        };
        let mut log_server = Server::spawn(
            "trillian_log_server",
            &test_binary("trillian_log_server"),
            &common(rpc_port, http_port),
            logs.path(),
        );
        let (signer_rpc, signer_http) = (free_port(), free_port());
        let mut signer_args = common(signer_rpc, signer_http);
        signer_args.extend(
            [
                "--force_master",
                "--sequencer_interval=100ms",
                "--batch_size=1000",
                "--num_sequencers=1",
            ]
            .map(String::from),
        );
        let mut signer = Server::spawn(
            "trillian_log_signer",
            &test_binary("trillian_log_signer"),
            &signer_args,
            logs.path(),
        );
        log_server.wait_for_http_ok(&format!("http://127.0.0.1:{http_port}/healthz"));
        signer.wait_for_http_ok(&format!("http://127.0.0.1:{signer_http}/healthz"));
        log_server.wait_for_port(loopback(rpc_port));
        TrillianStack {
            signer,
            log_server,
            rpc: loopback(rpc_port),
            db,
            _logs: logs,
        }
    }
}

/// Writes `contents` to `dir/name` and returns the path as a string for a flag.
pub fn write_file(dir: &Path, name: &str, contents: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path.to_str().expect("UTF-8 temp path").to_owned()
}

/// A real `fulcio serve --ca fileca` on loopback ports, without a CT log.
pub struct Fulcio {
    pub server: Server,
    /// Base URL of the HTTP API, e.g. `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: TempDir,
}

impl Fulcio {
    /// Starts Fulcio with these files and password; does not wait (see [`Fulcio::wait_ready`]).
    pub fn spawn(cert_pem: &[u8], key_pem: &[u8], password: &str) -> Fulcio {
        let dir = tempfile::tempdir().expect("temp dir");
        let cert = write_file(dir.path(), "cert.pem", cert_pem);
        let key = write_file(dir.path(), "key.pem", key_pem);
        // No OIDC issuers: the tests only read the CA back, they never ask for a certificate.
        let config = write_file(dir.path(), "config.json", br#"{"OIDCIssuers": {}}"#);
        let http_port = free_port();
        let args = vec![
            "serve".to_owned(),
            "--ca=fileca".to_owned(),
            format!("--fileca-cert={cert}"),
            format!("--fileca-key={key}"),
            format!("--fileca-key-passwd={password}"),
            "--ct-log-url=".to_owned(),
            format!("--config-path={config}"),
            "--host=127.0.0.1".to_owned(),
            format!("--port={http_port}"),
            "--grpc-host=127.0.0.1".to_owned(),
            format!("--grpc-port={}", free_port()),
            // Both default to fixed names (2112, @fulcio-legacy-grpc-socket) that would clash.
            format!("--metrics-port={}", free_port()),
            format!("--legacy-unix-domain-socket=@sigstore-up-test-fulcio-{http_port}"),
        ];
        let server = Server::spawn("fulcio", &test_binary("fulcio"), &args, dir.path());
        Fulcio {
            server,
            url: format!("http://127.0.0.1:{http_port}"),
            _dir: dir,
        }
    }

    pub fn wait_ready(&mut self) {
        let url = format!("{}/healthz", self.url);
        self.server.wait_for_http_ok(&url);
    }
}

/// A real ct_server reading `config_path` (a LogMultiConfig text proto).
pub struct CtServer {
    pub server: Server,
    /// Base URL, e.g. `http://127.0.0.1:PORT`.
    pub url: String,
}

impl CtServer {
    /// Starts ct_server; logs go to `log_dir`. Does not wait (see [`CtServer::wait_ready`]).
    pub fn spawn(config_path: &str, log_dir: &Path) -> CtServer {
        let port = free_port();
        let args = vec![
            format!("--http_endpoint=127.0.0.1:{port}"),
            format!("--log_config={config_path}"),
            "--alsologtostderr".to_owned(),
        ];
        let server = Server::spawn("ct_server", &test_binary("ct_server"), &args, log_dir);
        CtServer {
            server,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn wait_ready(&mut self) {
        let url = format!("{}/healthz", self.url);
        self.server.wait_for_http_ok(&url);
    }
}

/// A throw-away redis-server (Debian) on a loopback port, nothing persisted.
pub struct Redis {
    _server: Server,
    pub port: u16,
    _dir: TempDir,
}

impl Redis {
    pub fn start() -> Redis {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let args = [
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.path().to_str().expect("UTF-8 temp path"),
        ]
        .map(String::from)
        .to_vec();
        let mut server = Server::spawn(
            "redis-server",
            Path::new("/usr/bin/redis-server"),
            &args,
            dir.path(),
        );
        server.wait_for_port(loopback(port));
        Redis {
            _server: server,
            port,
            _dir: dir,
        }
    }
}

/// rekor-server always opens its metrics listener on :2112 (no flag to move it): a Rekor holds
/// this lock from start to stop, so tests running in parallel take turns.
static REKOR_METRICS_PORT: Mutex<()> = Mutex::new(());

/// A real `rekor-server serve` with a file signer. Only one runs at a time in this process (see
/// [`REKOR_METRICS_PORT`]): [`Rekor::spawn`] waits while another test's Rekor runs.
pub struct Rekor {
    pub server: Server,
    /// Base URL, e.g. `http://127.0.0.1:PORT`.
    pub url: String,
    _dir: TempDir,
    // Field order is drop order: released once the server has stopped.
    _metrics_port: MutexGuard<'static, ()>,
}

impl Rekor {
    pub fn spawn(
        trillian_rpc: SocketAddr,
        tree_id: i64,
        redis_port: u16,
        signer_pem: &[u8],
    ) -> Rekor {
        // A test that failed while its Rekor ran poisons the lock; the port is free again anyway.
        let metrics_port = REKOR_METRICS_PORT
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let dir = tempfile::tempdir().expect("temp dir");
        let key = write_file(dir.path(), "signer.pem", signer_pem);
        let port = free_port();
        let args = vec![
            "serve".to_owned(),
            format!("--trillian_log_server.address={}", trillian_rpc.ip()),
            format!("--trillian_log_server.port={}", trillian_rpc.port()),
            format!("--trillian_log_server.tlog_id={tree_id}"),
            "--redis_server.address=127.0.0.1".to_owned(),
            format!("--redis_server.port={redis_port}"),
            "--rekor_server.address=127.0.0.1".to_owned(),
            format!("--port={port}"),
            "--rekor_server.hostname=rekor.sigstore-up.test".to_owned(),
            format!("--rekor_server.signer={key}"),
            "--log_type=prod".to_owned(),
        ];
        let server = Server::spawn(
            "rekor-server",
            &test_binary("rekor-server"),
            &args,
            dir.path(),
        );
        Rekor {
            server,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
            _metrics_port: metrics_port,
        }
    }

    pub fn wait_ready(&mut self) {
        let url = format!("{}/api/v1/log", self.url);
        self.server.wait_for_http_ok(&url);
    }
}

/// A CT log key as Secret `ctlog-secrets` held it before the key went unencrypted into the
/// config: `private` (PKCS#8 encrypted the RFC 1423 way, AES-256-CBC), `password`, `public`.
/// Written by that version's `EcKeyPair::to_encrypted_pem`; `openssl pkey -passin` reads it too.
pub mod legacy_ctlog_secret {
    pub const PRIVATE: &str = "\
-----BEGIN PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,8097C998953539DB723F65D6E620DAFA

aso37I4leMTjsJOzL9YTysvx+/1VnGCpYxVYkVAyhSvQ4Jws+HZjGI/MsWlkh/Bk
p5FqAaNBslvooObkiryX8en5ri7zOjGCFsH0VlzKauxHi726DByyTlPyhdKDAsXr
lImTbw/WkcfO1PRF9lnlW3t7YB03fw/+9tXNoT5dGNJN0xoCm3K9BWnwI+wa8uhW
-----END PRIVATE KEY-----
";
    pub const PASSWORD: &str = "w97SxSmDStZh5mPGwgI1YtgEvIxQFPeT";
    pub const PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+l/1ZPr9uL9HMkloz31MgfH+YLPA
T5RosLY7ezBH7tdTn6E7QxcevkXazASBxPpyhLqxLnbWW7JJ8k36DYir2A==
-----END PUBLIC KEY-----
";
}

/// The same legacy encryption as OpenSSL writes it (`openssl ec -aes256`, SEC1 inside), to check
/// the decryption against an independent implementation. Password `correct-horse`.
pub mod openssl_rfc1423_key {
    pub const PRIVATE: &str = "\
-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,1254A24FBB7C826826D120295D63945F

fPwFRKu+iSs75oxQox6IZofVhQQrTLqbhRHkArI06/vLMZRbR63xAm0GEbQAHw/p
WMcAW69VoxhToxx0f4VQgwaEDZP4Y1yTm5caqYeKvE8aJkK5TOMHtuXlrsg7VuEu
itCoPWqhakci5/DbSN9Lbak9yc0MS5FS3WEVnaDWr9A=
-----END EC PRIVATE KEY-----
";
    pub const PASSWORD: &str = "correct-horse";
    pub const PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExB7xOgltdll9ZFnPV8SJ+3dq4UWa
aLzQ2c0Ym/RseZJ/gM6+Arx12bH3hXBPxX1MGyfAp5Dn95wBGxJ/sJgq4w==
-----END PUBLIC KEY-----
";
}
