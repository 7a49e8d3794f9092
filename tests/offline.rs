//! Offline by construction: a whole draft → review → final note cycle runs in a network namespace with no
//! interfaces but loopback, under strace, and opens no network socket at all.

use std::path::{Path, PathBuf};

use tend_app::records::{Decision, Role, Session};
use tend_app::{Assistant, Flow, GenerationParams, Task};

/// Helper for `a_whole_cycle_runs_offline_and_opens_no_network_socket`: runs in the namespace.
#[test]
#[ignore = "run as a child process by a_whole_cycle_runs_offline_and_opens_no_network_socket"]
fn offline_cycle_child() {
    let Some(dir) = std::env::var_os("TEND_OFFLINE_DIR") else { return };
    // /proc/self/net/dev lists this network namespace's interfaces (sysfs would show the host's).
    let dev = std::fs::read_to_string("/proc/self/net/dev").expect("interfaces");
    let interfaces: Vec<&str> = dev.lines().skip(2).filter_map(|l| l.split(':').next()).map(str::trim).collect();
    assert_eq!(interfaces, ["lo"], "the namespace has only loopback");
    let db = PathBuf::from(dir).join("tend.db");
    let mut admin = Session::create(&db, "admin", "admin-password").expect("create");
    let store = admin.records().expect("records");
    store.add_user("asha", Role::Manager, "asha-password").expect("asha");
    store.add_user("tom", Role::CareWorker, "tom-password").expect("tom");
    let person = store.add_person("Margaret", "NHS-0001").expect("person");
    store.assign("tom", person).expect("assign");

    let notes = "AM call. Margaret up & dressed w/ support, ate 1/2 porridge, declined tea";
    let mut assistant =
        Assistant::open(Path::new(&std::env::var_os("TEND_MODEL").expect("model")), &mut |_| {}).expect("load model");
    let params = GenerationParams { max_tokens: 12, ..GenerationParams::default() };
    let draft = assistant.draft(Task::CareNote, notes, None, None, &params, &mut |_| Flow::Continue).expect("draft");
    let mut tom = Session::sign_in(&db, "tom", "tom-password").expect("tom");
    let id = tom.save_draft(person, notes, &draft).expect("save");
    tom.records().expect("records").edit_draft(id, "Margaret got up and dressed with support.").expect("edit");
    for i in 0..draft.findings.len() {
        tom.records().expect("records").acknowledge(id, i).expect("acknowledge");
    }
    tom.records().expect("records").submit(id).expect("submit");
    let mut asha = Session::sign_in(&db, "asha", "asha-password").expect("asha");
    let note = asha.records().expect("records").review(id, Decision::Approve, "").expect("approve").expect("final");
    let text = asha.records().expect("records").export_final(note).expect("export");
    assert!(text.contains("AI-assisted draft, reviewed by asha (manager)"), "{text}");
    println!("offline: ok");
}

#[test]
fn a_whole_cycle_runs_offline_and_opens_no_network_socket() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let trace = dir.path().join("sockets.trace");
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=socket,connect", "-e", "signal=none", "-o"])
        .arg(&trace)
        .args(["unshare", "--net", "--map-root-user"])
        .arg(exe)
        .args(["offline::offline_cycle_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("TEND_OFFLINE_DIR", dir.path())
        .env("TEND_MODEL", crate::support::tiny::task_sized_model())
        .output()
        .expect("run strace (apt-get install strace) and unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("offline: ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = std::fs::read_to_string(&trace).expect("trace");
    let network: Vec<&str> =
        calls.lines().filter(|l| l.contains("AF_INET") || l.contains("AF_INET6") || l.contains("AF_PACKET")).collect();
    assert!(network.is_empty(), "network sockets were opened:\n{}", network.join("\n"));
}
