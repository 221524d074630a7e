//! The demo's team identities keep to their teams (docs/demo-organisation.md, "Identities"): a team's rule
//! manages only hubs tagged with that team, sends only there, to its own dead-letter hub and
//! to the audit hub (send only: every team's incident actions are audited), and elsewhere at most listens, where docs/demo-organisation.md names a reader (customer's CRM sync on
//! `sale`, conversions' lead scoring on `contact`) or the customer team reads `product`.

use super::organisation;

#[test]
fn each_team_rule_writes_only_to_its_own_hubs() {
    let config = organisation().expect("demo organisation parses");
    let namespace = &config.namespaces[0];
    let mut reads_elsewhere = Vec::new();
    for hub in &namespace.hubs {
        let owner = hub.tags.get("team").map(String::as_str);
        let dead_letter_for = hub.tags.get("deadletter_for").map(String::as_str);
        for rule in &hub.rules {
            let Some(team) = rule.name.strip_prefix("team-") else {
                panic!(
                    "hub {} has a rule {} that is no team's",
                    hub.name, rule.name
                );
            };
            let own = owner == Some(team);
            let own_dead_letter = dead_letter_for == Some(team);
            if hub.name == "audit" {
                assert!(
                    rule.rights.can_send() && !rule.rights.can_listen() && !rule.rights.manage,
                    "{} may only append to the audit hub",
                    rule.name
                );
                continue;
            }
            if rule.rights.manage {
                assert!(own, "{} manages {}", rule.name, hub.name);
            }
            if rule.rights.can_send() {
                assert!(
                    own || own_dead_letter,
                    "{} sends to {}",
                    rule.name,
                    hub.name
                );
            }
            if !own && !own_dead_letter {
                reads_elsewhere.push(format!("{}:{}", team, hub.name));
            }
        }
    }
    reads_elsewhere.sort();
    assert_eq!(
        reads_elsewhere,
        ["conversions:contact", "customer:product", "customer:sale"]
    );
}

#[test]
fn every_tagged_team_has_an_owner_card() {
    let teams = crate::model::Teams::parse(super::TEAMS, "demo teams").expect("teams parse");
    let config = organisation().expect("demo organisation parses");
    for hub in &config.namespaces[0].hubs {
        let team = hub.tags.get("team").expect("every demo hub is tagged");
        let card = teams
            .get(team)
            .unwrap_or_else(|| panic!("no card for {team}"));
        assert!(card.channel.is_some() && card.backlog.is_some() && card.on_call.is_some());
    }
}
