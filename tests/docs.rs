//! The safety case's promise: every control in the hazard log names a test that exists in this binary.

#[test]
fn every_control_in_the_hazard_log_names_an_existing_test() {
    let root = crate::support::repo_root();
    let log = std::fs::read_to_string(root.join("docs/safety/hazard-log.md")).expect("hazard log");
    let mut named = 0;
    for quoted in log.split('`').skip(1).step_by(2) {
        let Some((module, name)) = quoted.split_once("::") else { continue };
        if !module.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        let source = std::fs::read_to_string(root.join("tests").join(format!("{module}.rs")))
            .unwrap_or_else(|_| panic!("the hazard log names {quoted}, but there is no tests/{module}.rs"));
        assert!(source.contains(&format!("fn {name}(")), "the hazard log names {quoted}, which does not exist");
        named += 1;
    }
    assert!(named >= 20, "only {named} tests named");
}

/// A command the app registers but the page is not granted fails only when someone clicks it ("not allowed by
/// ACL"): every registered command is declared in the build script and allowed in the window's capability.
#[test]
fn every_command_the_app_registers_is_granted_to_the_window() {
    let root = crate::support::repo_root();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).expect(path);
    let (lib, build, capability) =
        (read("src-tauri/src/lib.rs"), read("src-tauri/build.rs"), read("src-tauri/capabilities/default.json"));
    let commands: Vec<&str> =
        lib.split("commands::").skip(1).filter_map(|s| s.split(&[',', '\n', ']'][..]).next()).collect();
    assert!(commands.len() >= 40, "only {} commands found", commands.len());
    for command in commands {
        assert!(build.contains(&format!("\"{command}\"")), "{command} is not declared in src-tauri/build.rs");
        let permission = format!("\"allow-{}\"", command.replace('_', "-"));
        assert!(capability.contains(&permission), "{command} is not allowed in capabilities/default.json");
    }
}
