//! `shelfsync sim --shopify-plan PLAN`: the simulated Shopify cost bucket is the plan's, an
//! explicit `--bucket` or `--restore-rate` overrides it, and an unknown plan is refused in one
//! line. Checked over real loopback HTTP against the running `shelfsync sim` process: the
//! bucket a plan sets is what the simulator's GraphQL answers report in `throttleStatus`.

mod support;

use std::io::BufRead;
use std::process::{Command, Stdio};

use support::shelfsync;

/// `shelfsync sim` with `flags` on a free port; killed when dropped.
struct Sim {
    child: std::process::Child,
    addr: String,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Sim {
    fn start(flags: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
            .args(["sim", "--port", "0"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let start = first.find("http://127.0.0.1:").expect("the simulator prints its URL") + "http://".len();
        let addr = first[start..].split("/admin").next().unwrap().to_string();
        Sim { child, addr, _stdout: stdout }
    }

    /// The cost bucket the simulator reports: (maximumAvailable, restoreRate). The query is
    /// one the simulator does not know, so it costs nothing and still carries the status.
    fn bucket(&self) -> (f64, f64) {
        use std::io::{Read, Write};
        let body = r#"{"query":"{ nothing }"}"#;
        let mut stream = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "POST /admin/api/2026-04/graphql.json HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&response[response.find("\r\n\r\n").unwrap() + 4..]).unwrap();
        let status = &json["extensions"]["cost"]["throttleStatus"];
        (status["maximumAvailable"].as_f64().unwrap(), status["restoreRate"].as_f64().unwrap())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_plan_sets_the_simulated_bucket_and_explicit_knobs_override_it() {
    let cases: [(&[&str], (f64, f64)); 6] = [
        (&[], (2_000.0, 100.0)),
        (&["--shopify-plan", "advanced"], (4_000.0, 200.0)),
        (&["--shopify-plan", "plus"], (20_000.0, 1_000.0)),
        (&["--shopify-plan", "Enterprise"], (40_000.0, 2_000.0)),
        (&["--shopify-plan", "plus", "--restore-rate", "150"], (20_000.0, 150.0)),
        (&["--bucket", "500", "--restore-rate", "50"], (500.0, 50.0)),
    ];
    for (flags, want) in cases {
        let sim = Sim::start(flags);
        assert_eq!(sim.bucket(), want, "{flags:?}");
    }
}

#[test]
fn a_bad_plan_or_bucket_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--shopify-plan", "basic"],
            "unknown Shopify plan \"basic\": expected standard, advanced, plus or enterprise",
        ),
        (&["--shopify-plan", ""], "unknown Shopify plan \"\""),
        (&["--shopify-plan", "plus", "--bucket", "0"], "--bucket and --restore-rate must be positive"),
        (&["--restore-rate=-3"], "--bucket and --restore-rate must be positive"),
    ];
    for (flags, want) in cases {
        let args: Vec<&str> = ["sim", "--port", "0"].into_iter().chain(flags.iter().copied()).collect();
        let out = shelfsync(&db, &args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?} should fail");
        assert_eq!(stderr.lines().count(), 1, "{flags:?}: one line, got {stderr:?}");
        assert!(stderr.starts_with("error: "), "{flags:?}: {stderr}");
        assert!(stderr.contains(want), "{flags:?}: wanted {want:?}, got {stderr}");
        assert!(out.stdout.is_empty(), "{flags:?}: nothing served");
    }
    assert!(!db.exists(), "the simulator opens no database");
}
