//! Throwaway PostgreSQL clusters for tests and benchmarks: initdb into a temporary folder, a
//! free loopback port, the socket inside the folder, stopped (`pg_ctl stop -m immediate`) when
//! dropped, and by a watchdog if the test process dies first. Needs the PostgreSQL server
//! binaries (`scripts/setup.sh` installs the `postgresql` package).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian and Ubuntu put the server binaries; `SHELFSYNC_PG_BIN` overrides.
const PG_BIN_CANDIDATES: [&str; 4] =
    ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/bin"];

/// How long the server may take to accept connections after `pg_ctl start`: it takes well
/// under a second; a loaded CI box gets the rest.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
    watchdog: Option<std::process::Child>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// fsync off: for tests, where only behaviour matters.
    Fast,
    /// The server's defaults (fsync, synchronous commit): for benchmarks.
    Durable,
}

fn find_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SHELFSYNC_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    PG_BIN_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin: \
             run scripts/setup.sh (it installs the `postgresql` package) or set SHELFSYNC_PG_BIN"
                .to_string()
        })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(54329)
}

impl PgCluster {
    /// Starts a cluster, or panics with the reason (a test without its server cannot run).
    pub fn start(durability: Durability) -> PgCluster {
        PgCluster::try_start(durability).unwrap_or_else(|reason| panic!("cannot start PostgreSQL: {reason}"))
    }

    pub fn try_start(durability: Durability) -> Result<PgCluster, String> {
        let bin = find_bin()?;
        // initdb refuses to run as root: the cluster then belongs to the postgres user.
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("shelfsync-pg-").tempdir().map_err(|e| e.to_string())?;
        if as_postgres {
            let status = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status();
            if !status.is_ok_and(|s| s.success()) {
                return Err("cannot hand the cluster folder to the postgres user".into());
            }
        }
        let mut cluster = PgCluster { dir, bin, port: free_port(), as_postgres, watchdog: None };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-instructions"],
        )?;
        let durable = match durability {
            Durability::Fast => "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            Durability::Durable => "",
        };
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c max_connections=100 {durable}",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = format!("{}/server.log", cluster.dir.path().display());
        cluster.run("pg_ctl", &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "30", "start"])?;
        cluster.watchdog = cluster.spawn_watchdog();
        cluster.wait_ready()?;
        Ok(cluster)
    }

    fn data_dir(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{tool}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{tool} failed: {}{}", String::from_utf8_lossy(&out.stderr), self.server_log_tail()))
        }
    }

    fn server_log_tail(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log"))
            .map(|log| {
                format!("\nserver log:\n{}", log.lines().rev().take(10).collect::<Vec<_>>().join("\n"))
            })
            .unwrap_or_default()
    }

    /// Stops the server if this process dies without dropping the cluster (a killed test).
    fn spawn_watchdog(&self) -> Option<std::process::Child> {
        let stop = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {} {} -D {} stop -m immediate >/dev/null 2>&1",
            std::process::id(),
            if self.as_postgres { "runuser -u postgres --" } else { "" },
            self.bin.join("pg_ctl").display(),
            self.data_dir()
        );
        Command::new("sh")
            .arg("-c")
            .arg(stop)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    }

    fn wait_ready(&self) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("the server did not accept connections within 30 s{}", self.server_log_tail()))
    }

    /// Turns TLS on with a fresh private CA and a server certificate for localhost and
    /// 127.0.0.1 (openssl), and returns the CA's PEM file for the client to trust.
    pub fn enable_tls(&self) -> PathBuf {
        let dir = self.dir.path().join("tls");
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(&dir).output().expect("openssl runs");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=shelfsync test CA"],
            ]
            .concat(),
        );
        openssl(
            &[&["req"][..], &ec, &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]]
                .concat(),
        );
        std::fs::write(
            dir.join("ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext",
        ]);
        let data = PathBuf::from(self.data_dir());
        for file in ["server.pem", "server.key"] {
            std::fs::copy(dir.join(file), data.join(file)).unwrap();
            if self.as_postgres {
                let _ = Command::new("chown").arg("postgres:postgres").arg(data.join(file)).status();
            }
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut conf = std::fs::OpenOptions::new().append(true).open(data.join("postgresql.conf")).unwrap();
        use std::io::Write;
        writeln!(conf, "ssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'").unwrap();
        // SSL settings take effect on reload; the reload is asynchronous, hence the pause.
        self.run("pg_ctl", &["-D", &self.data_dir(), "reload"]).expect("pg_ctl reload");
        std::thread::sleep(Duration::from_millis(500));
        dir.join("ca.pem")
    }

    /// Makes every role but `postgres` log in with its password (SCRAM), over TCP and the
    /// socket, as a real hub does; `postgres` keeps `trust` so tests can still act as the owner.
    pub fn require_passwords(&self) {
        let hba = "local all postgres trust\n\
                   host all postgres 127.0.0.1/32 trust\n\
                   host all postgres ::1/128 trust\n\
                   local all all scram-sha-256\n\
                   host all all 127.0.0.1/32 scram-sha-256\n\
                   host all all ::1/128 scram-sha-256\n";
        std::fs::write(PathBuf::from(self.data_dir()).join("pg_hba.conf"), hba).unwrap();
        self.run("pg_ctl", &["-D", &self.data_dir(), "reload"]).expect("pg_ctl reload");
        // The reload is asynchronous, hence the pause (as for TLS above).
        std::thread::sleep(Duration::from_millis(500));
    }

    /// The server's version, e.g. "15.18".
    pub fn server_version(&self) -> String {
        Command::new(self.bin.join("postgres"))
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|v| v.split_whitespace().nth(2).map(str::to_string))
            .unwrap_or_else(|| "(unknown version)".into())
    }

    /// A new, empty database on this cluster, and its URL.
    pub fn database(&self, name: &str) -> String {
        let out = self
            .command("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-q",
                "-c",
            ])
            .arg(format!("CREATE DATABASE \"{name}\""))
            .output()
            .expect("psql runs");
        assert!(out.status.success(), "CREATE DATABASE {name}: {}", String::from_utf8_lossy(&out.stderr));
        self.url(name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable", self.port)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run("pg_ctl", &["-D", &data, "stop", "-m", "immediate"]);
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}
