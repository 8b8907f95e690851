//! A real SMTP server for the e-mail tests: `tests/smtp/sink.py` (aiosmtpd, installed into
//! `.venv` by `scripts/smtp-sink-setup`), started on a free port, each received message read
//! back as JSON. Without Python or aiosmtpd the tests are skipped with a notice — except under
//! `CI=true`, where they fail (as the PostgreSQL tests do).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// One message as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// The raw message.
    pub data: String,
    /// Decoded by Python's e-mail parser; names lower-cased.
    pub headers: std::collections::HashMap<String, String>,
    /// The decoded text body.
    pub body: Option<String>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn unavailable(why: String) -> Option<SmtpSink> {
    if brygga_store_tests::required() {
        panic!("the SMTP test server is required (CI=true) but could not start: {why}; run scripts/smtp-sink-setup");
    }
    eprintln!("SKIPPED: SMTP test server unavailable ({why}); run scripts/smtp-sink-setup, or set CI=true to make this a failure");
    None
}

impl SmtpSink {
    pub async fn start() -> Option<Self> {
        Self::start_on(free_port()).await
    }

    /// Starts the server on `port` and waits until it listens.
    pub async fn start_on(port: u16) -> Option<Self> {
        let python = root().join(".venv/bin/python");
        if !python.exists() {
            return unavailable(format!("{} missing", python.display()));
        }
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(&python)
            .arg(root().join("tests/smtp/sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return unavailable(format!("cannot run {}: {e}", python.display())),
        };
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        match tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await {
            Ok(Ok(Some(line))) if line.starts_with("READY") => Some(Self { port, child, dir }),
            other => {
                let _ = child.start_kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(2), tokio::io::AsyncReadExt::read_to_string(&mut e, &mut err)).await;
                }
                unavailable(format!("sink did not report READY ({other:?}): {}", err.lines().last().unwrap_or("")))
            }
        }
    }

    /// Every message received so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// Waits until at least `n` messages arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(start.elapsed() < timeout, "expected {n} message(s) within {timeout:?}, got {}", got.len());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}
