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
