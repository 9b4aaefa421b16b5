//! Running the real `shelfsync` binary from the channel, capture and marketplace tests.
#![allow(dead_code)]

pub mod people;

use std::path::Path;
use std::process::{Command, Output};

/// Every secret a command reads from the environment: cleared so the developer's own shell
/// never leaks into a test.
const SECRET_VARS: [&str; 8] = [
    "SHELFSYNC_SHOPIFY_TOKEN",
    "SHELFSYNC_SHOPIFY_WEBHOOK_SECRET",
    "SHELFSYNC_LWA_CLIENT_ID",
    "SHELFSYNC_LWA_CLIENT_SECRET",
    "SHELFSYNC_LWA_REFRESH_TOKEN",
    "SHELFSYNC_EBAY_CLIENT_ID",
    "SHELFSYNC_EBAY_CLIENT_SECRET",
    "SHELFSYNC_EBAY_REFRESH_TOKEN",
];

pub fn shelfsync(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    // No keychain on CI boxes; force the file so every machine runs the same path.
    command.arg("--db").arg(db).args(args).env("SHELFSYNC_SECRETS", "file");
    for key in SECRET_VARS {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

pub fn ok(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = shelfsync(db, args, env);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(db, &all, &[])).unwrap()
}

pub fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_string()
}

/// `shelfsync sim` as a child process on a free loopback port; killed when dropped.
pub struct SimProcess {
    child: std::process::Child,
    pub url: String,
    /// Kept open for the child's lifetime: it may still be writing.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl SimProcess {
    pub fn start(seed: u64) -> SimProcess {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
            .args(["sim", "--port", "0", "--seed", &seed.to_string()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let start = first.find("http://127.0.0.1:").expect("the simulator prints its URL");
        let url = first[start..].split("/admin").next().unwrap().to_string();
        SimProcess { child, url, _stdout: stdout }
    }

    /// One request over a plain socket: the tests need no HTTP client of their own.
    pub fn request(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str(body).unwrap()
    }

    pub fn state(&self) -> serde_json::Value {
        self.request("GET", "/admin/state", "")
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
