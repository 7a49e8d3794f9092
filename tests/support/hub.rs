//! A stand-in Hugging Face hub on 127.0.0.1: the two endpoints hf-hub uses (the repository listing with sizes and
//! LFS hashes, and `resolve` with HTTP range requests and the hub's headers), serving files the test gives it, and
//! misbehaving on request: dropping the connection part-way, or corrupting bytes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// The commit every repository is at.
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// How the stand-in serves file contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// As the hub does.
    Honest,
    /// Closes the connection after this many bytes of the file, once; later requests are served honestly.
    DropOnceAt(u64),
    /// Closes every connection after this many bytes of the file.
    DropAlwaysAt(u64),
    /// Flips one byte in the middle of the file (the listing still gives the true hash, as after a bad proxy).
    Corrupt,
    /// Sends the file 1 KB at a time, 100 ms apart, as a slow line would (so a person can cancel).
    Slow,
}

#[derive(Default)]
struct State {
    files: HashMap<(String, String), Vec<u8>>,
    behaviour: Option<Behaviour>,
    dropped: bool,
    /// The `Range` header of every file request, in order.
    ranges: Vec<String>,
    /// File bytes sent, in all.
    sent: u64,
}

/// A running stand-in hub; stops when dropped.
pub struct StandInHub {
    /// Its address, for `HF_ENDPOINT`.
    pub endpoint: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StandInHub {
    /// Starts a hub on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State { behaviour: Some(Behaviour::Honest), ..State::default() }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = state.clone();
                    std::thread::spawn(move || serve(stream, &state));
                }
            })
        };
        Self { endpoint, state, stop, thread: Some(thread) }
    }

    /// Serves `bytes` as `file` in `repo`.
    pub fn add(&self, repo: &str, file: &str, bytes: Vec<u8>) {
        self.lock().files.insert((repo.to_owned(), file.to_owned()), bytes);
    }

    /// Changes how file contents are served.
    pub fn set(&self, behaviour: Behaviour) {
        let mut state = self.lock();
        state.behaviour = Some(behaviour);
        state.dropped = false;
    }

    /// The `Range` headers of the file requests so far.
    pub fn ranges(&self) -> Vec<String> {
        self.lock().ranges.clone()
    }

    /// File bytes sent so far.
    pub fn bytes_sent(&self) -> u64 {
        self.lock().sent
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for StandInHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.endpoint.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_owned());
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/");
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());

    // GET /api/models/{owner}/{name}/revision/{revision}?blobs=true
    if let Some(rest) = path.strip_prefix("/api/models/") {
        let repo = rest.split("/revision/").next().unwrap_or_default();
        let siblings: Vec<_> = state
            .files
            .iter()
            .filter(|((r, _), _)| r == repo)
            .map(|((_, file), bytes)| {
                serde_json::json!({
                    "rfilename": file,
                    "size": bytes.len(),
                    "lfs": {"sha256": sha256_hex(bytes), "size": bytes.len(), "pointerSize": 134}
                })
            })
            .collect();
        if siblings.is_empty() {
            return respond(&mut stream, "404 Not Found", &[], br#"{"error":"Repository not found"}"#);
        }
        let body = serde_json::json!({"id": repo, "sha": COMMIT, "siblings": siblings}).to_string();
        return respond(&mut stream, "200 OK", &[("Content-Type", "application/json".into())], body.as_bytes());
    }

    // GET /{owner}/{name}/resolve/{revision}/{file}
    let Some((repo, rest)) = path.trim_start_matches('/').split_once("/resolve/") else {
        return respond(&mut stream, "404 Not Found", &[], b"not found");
    };
    let file = rest.split_once('/').map(|(_, f)| f).unwrap_or_default();
    let Some(bytes) = state.files.get(&(repo.to_owned(), file.to_owned())).cloned() else {
        return respond(&mut stream, "404 Not Found", &[("X-Error-Code", "EntryNotFound".into())], b"not found");
    };
    state.ranges.push(range.clone().unwrap_or_default());
    let size = bytes.len() as u64;
    let (start, end) = parse_range(range.as_deref(), size);
    let sha = sha256_hex(&bytes);
    let mut body = bytes[start as usize..=end as usize].to_vec();
    let mut cut = None;
    let slow = state.behaviour == Some(Behaviour::Slow) && body.len() > 1;
    match state.behaviour.unwrap_or(Behaviour::Honest) {
        Behaviour::Honest | Behaviour::Slow => {}
        Behaviour::Corrupt => {
            let middle = size / 2;
            if (start..=end).contains(&middle) {
                body[(middle - start) as usize] ^= 0xff;
            }
        }
        Behaviour::DropOnceAt(at) | Behaviour::DropAlwaysAt(at) if body.len() > 1 && (start..end).contains(&at) => {
            let once = matches!(state.behaviour, Some(Behaviour::DropOnceAt(_)));
            if !(once && state.dropped) {
                state.dropped = true;
                cut = Some((at - start) as usize);
            }
        }
        Behaviour::DropOnceAt(_) | Behaviour::DropAlwaysAt(_) => {}
    }
    state.sent += cut.unwrap_or(body.len()) as u64;
    drop(state);
    let headers = [
        ("Content-Range", format!("bytes {start}-{end}/{size}")),
        ("ETag", format!("\"{sha}\"")),
        ("X-Linked-Etag", format!("\"{sha}\"")),
        ("X-Repo-Commit", COMMIT.to_owned()),
        ("Accept-Ranges", "bytes".to_owned()),
    ];
    match cut {
        // Headers promise the whole range; the connection closes part-way through the body.
        Some(cut) => {
            let _ = write_head(&mut stream, "206 Partial Content", &headers, body.len());
            let _ = stream.write_all(&body[..cut]);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        None if slow => {
            let _ = write_head(&mut stream, "206 Partial Content", &headers, body.len());
            for chunk in body.chunks(1024) {
                if stream.write_all(chunk).and_then(|()| stream.flush()).is_err() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        None => respond(&mut stream, "206 Partial Content", &headers, &body),
    }
}

/// `bytes=a-b` or `bytes=a-` (the whole file without a header).
fn parse_range(range: Option<&str>, size: u64) -> (u64, u64) {
    let Some(spec) = range.and_then(|r| r.strip_prefix("bytes=")) else { return (0, size - 1) };
    let (a, b) = spec.split_once('-').unwrap_or((spec, ""));
    let start = a.parse().unwrap_or(0);
    let end = b.parse().unwrap_or(size - 1).min(size - 1);
    (start, end)
}

fn write_head(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], len: usize) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let _ = write_head(stream, status, headers, body.len()).and_then(|()| stream.write_all(body));
    let _ = stream.flush();
}
