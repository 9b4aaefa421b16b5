//! Serial transport against real pseudo-terminals: a `TTYPort::pair()` for data integrity, and
//! socat-linked ptys for unplug/replug (socat is killed and restarted at the same path).

use std::io::Write;

use serialport::SerialPort;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use shelfsync_scan::backoff::BackoffConfig;
use shelfsync_scan::{Scan, SerialConfig, listen_serial};

const WAIT: Duration = Duration::from_secs(5);

struct Listener {
    stop: Arc<AtomicBool>,
    scans: Receiver<Result<Scan, shelfsync_scan::ScanError>>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    fn start(path: &str) -> Listener {
        let mut config = SerialConfig::new(path);
        config.backoff =
            BackoffConfig { initial: Duration::from_millis(20), max: Duration::from_millis(200) };
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, scans) = channel();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            listen_serial(config, &flag, |scan| {
                let _ = tx.send(scan);
            })
        });
        Listener { stop, scans, thread: Some(thread) }
    }

    fn next(&self) -> Scan {
        self.scans.recv_timeout(WAIT).expect("a scan within 5 s").expect("scan parses")
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn pty_pair_delivers_gs_and_crlf_intact_and_joins_split_scans() {
    let (mut master, slave) = serialport::TTYPort::pair().expect("pty pair");
    let listener = Listener::start(&slave.name().expect("pty name"));
    std::thread::sleep(Duration::from_millis(200));

    master.write_all(b"]C10195012345678903\x1d10ABC123\r\n").unwrap();
    let scan = listener.next();
    assert_eq!(scan.cli().data_string.as_deref(), Some("^019501234567890310ABC123"));
    assert_eq!(scan.lot.as_deref(), Some("ABC123"));

    master.write_all(b"]E05901").unwrap();
    master.flush().unwrap();
    std::thread::sleep(Duration::from_millis(60));
    master.write_all(b"234123457\r\n").unwrap();
    assert_eq!(listener.next().cli().gtin.as_deref(), Some("05901234123457"));

    let sent = Instant::now();
    master.write_all(b"]C0BIN-A-01").unwrap();
    let scan = listener.next();
    assert!(sent.elapsed() >= Duration::from_millis(250), "flushed by idle, not early");
    assert_eq!(scan.parsed.symbology.as_deref(), Some("]C0"));
}

struct Socat {
    child: Child,
}

impl Socat {
    fn start(scanner_end: &Path, host_end: &Path) -> Socat {
        let arg = |p: &Path| format!("pty,raw,echo=0,link={}", p.display());
        let child = Command::new("socat")
            .args([arg(scanner_end), arg(host_end)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("socat is installed");
        let deadline = Instant::now() + WAIT;
        while !(scanner_end.exists() && host_end.exists()) {
            assert!(Instant::now() < deadline, "socat did not create its ptys");
            std::thread::sleep(Duration::from_millis(20));
        }
        Socat { child }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Socat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_scan(path: &PathBuf, data: &[u8]) {
    let mut end = std::fs::OpenOptions::new().write(true).open(path).expect("open scanner end");
    end.write_all(data).unwrap();
    end.flush().unwrap();
}

#[test]
fn listener_reconnects_after_the_port_disappears_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let (scanner, host) = (dir.path().join("scanner"), dir.path().join("host"));
    let socat = Socat::start(&scanner, &host);
    let listener = Listener::start(host.to_str().unwrap());
    std::thread::sleep(Duration::from_millis(300));
    write_scan(&scanner, b"]C0BEFORE\r\n");
    assert_eq!(listener.next().cli().symbology.as_deref(), Some("]C0"));

    socat.stop();
    std::thread::sleep(Duration::from_millis(500));
    let _socat = Socat::start(&scanner, &host);
    std::thread::sleep(Duration::from_millis(600));
    write_scan(&scanner, b"]C10195012345678903\r\n");
    let scan = listener.next();
    assert_eq!(scan.cli().gtin.as_deref(), Some("95012345678903"));
}
