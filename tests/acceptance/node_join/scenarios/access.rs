//! Access entries: the mode, a missing entry, its type (and the node's operating system), and an
//! entry older than its role.

use serde_json::json;

use super::{Becomes, ERROR, Fails, Scenario, Skipped, at};

#[test]
fn config_map_authentication_skips_the_access_checks() {
    let when = "when: $.cluster.accessConfig.authenticationMode one_of [\"API\",\"API_AND_CONFIG_MAP\"] is false (actual: \"CONFIG_MAP\")";
    let skipped = Skipped("needs node-role-has-access-entry (skipped)");
    Scenario::new("config-map", &[])
        .fixture(|_, fixture| {
            fixture.cluster["accessConfig"]["authenticationMode"] = json!("CONFIG_MAP");
            fixture.access_entries.clear();
        })
        .expect(
            vec![
                at("cluster::authentication-mode", Fails("info")),
                at("access::node-role-has-access-entry[ng-1]", Skipped(when)),
                at("access::access-entry-type[ng-1]", skipped),
                at("access::access-entry-not-stale[ng-1]", skipped),
            ],
            0,
        );
}

#[test]
fn missing_access_entry_in_api_mode() {
    let failed = Skipped("needs node-role-has-access-entry (failed)");
    Scenario::new("no-entry-api", &[])
        .fixture(|_, fixture| {
            fixture.cluster["accessConfig"]["authenticationMode"] = json!("API");
            fixture.access_entries.clear();
        })
        .expect(
            vec![
                at("access::node-role-has-access-entry[ng-1]", Fails(ERROR)),
                at("access::access-entry-type[ng-1]", failed),
                at("access::access-entry-not-stale[ng-1]", failed),
                at(
                    "iam::node-role-path[ng-1]",
                    Skipped(
                        "when: $.cluster.accessConfig.authenticationMode one_of \
                         [\"CONFIG_MAP\",\"API_AND_CONFIG_MAP\"] is false (actual: \"API\")",
                    ),
                ),
            ],
            1,
        );
}

#[test]
fn missing_access_entry_beside_aws_auth_is_a_warning() {
    let failed = Skipped("needs node-role-has-access-entry (failed)");
    Scenario::new("no-entry-both", &[])
        .fixture(|_, fixture| fixture.access_entries.clear())
        .expect(
            vec![
                at("access::node-role-has-access-entry[ng-1]", Fails("warning")),
                at("access::access-entry-type[ng-1]", failed),
                at("access::access-entry-not-stale[ng-1]", failed),
            ],
            0,
        );
}

#[test]
fn standard_access_entry() {
    Scenario::new("standard-entry", &[])
        .fixture(|world, fixture| {
            fixture.access_entries = vec![world.access_entry(&world.node_role_arn, "STANDARD")];
        })
        .expect(vec![at("access::access-entry-type[ng-1]", Fails(ERROR))], 1);
}

#[test]
fn a_windows_node_group_with_a_linux_entry() {
    Scenario::new("windows-linux-entry", &[])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["amiType"] =
                json!("WINDOWS_CORE_2022_x86_64");
        })
        .expect(
            vec![
                at("access::access-entry-type[ng-1]", Fails(ERROR)),
                at("nodegroups::ami-type-published[ng-1]", WINDOWS_IS_NOT_AL2),
            ],
            1,
        );
}

const WINDOWS_IS_NOT_AL2: Becomes = Skipped(
    "when: $.nodegroup.amiType matches /^AL2_/ is false (actual: \"WINDOWS_CORE_2022_x86_64\")",
);

#[test]
fn a_windows_node_group_with_a_windows_entry_is_healthy() {
    Scenario::new("windows-entry", &[])
        .fixture(|world, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["amiType"] =
                json!("WINDOWS_CORE_2022_x86_64");
            fixture.access_entries = vec![world.access_entry(&world.node_role_arn, "EC2_WINDOWS")];
        })
        .expect(
            vec![at(
                "nodegroups::ami-type-published[ng-1]",
                WINDOWS_IS_NOT_AL2,
            )],
            0,
        );
}

#[test]
fn a_linux_node_group_whose_role_has_the_windows_entry_of_a_shared_role_is_a_warning() {
    Scenario::new("linux-windows-entry", &[])
        .fixture(|world, fixture| {
            fixture.access_entries = vec![world.access_entry(&world.node_role_arn, "EC2_WINDOWS")];
        })
        .expect(
            vec![at("access::access-entry-type[ng-1]", Fails("warning"))],
            0,
        );
}

#[test]
fn an_auto_mode_entry_for_a_node_group() {
    Scenario::new("auto-mode-entry", &[])
        .fixture(|world, fixture| {
            fixture.access_entries = vec![world.access_entry(&world.node_role_arn, "EC2")];
        })
        .expect(vec![at("access::access-entry-type[ng-1]", Fails(ERROR))], 1);
}

#[test]
fn an_access_entry_older_than_its_role() {
    Scenario::new("stale-entry", &[])
        .fixture(|world, fixture| {
            // 2026-01-02T03:04:05Z: before the world's roles were created.
            fixture.access_entries = vec![world.access_entry_created(
                &world.node_role_arn,
                "EC2_LINUX",
                1_767_323_045.0,
            )];
        })
        .expect(
            vec![at("access::access-entry-not-stale[ng-1]", Fails(ERROR))],
            1,
        );
}
