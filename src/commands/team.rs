//! Signing in to the embedded demo as one of its teams (docs/demo-organisation.md,
//! "Identities"): each team's identity is its shared-access rule, defined on every hub the
//! team may use with the same key, so the console signs for the namespace with that rule and
//! the emulator applies whatever the rule allows on each hub. `platform` is the namespace's
//! own root rule.

use std::sync::Arc;

use crate::backend::SignIn;
use crate::connect::Connection;
use crate::connect::error::ConnectError;
use crate::emulator::NamespaceEndpoint;

/// The team the demo signs in as unless `--team` says otherwise.
pub const DEFAULT_TEAM: &str = "customer";
/// The demo's audit hub (platform-owned; every team may append to it).
pub const AUDIT_HUB: &str = "audit";
/// The team that owns the namespace and signs in with its root rule.
pub const PLATFORM: &str = "platform";
/// Team rules are named `team-NAME` in the demo organisation.
const RULE_PREFIX: &str = "team-";

/// The connection string `team` signs in with: its rule, signed for the whole namespace (no
/// `EntityPath`), so one identity reaches every hub the rule is defined on.
pub fn connection_string(
    namespace: &NamespaceEndpoint,
    team: &str,
) -> Result<String, ConnectError> {
    let wanted = format!("{RULE_PREFIX}{team}");
    let credential = if team.eq_ignore_ascii_case(PLATFORM) {
        namespace
            .rules
            .iter()
            .filter(|r| r.scope == namespace.name)
            .max_by_key(|r| r.rights.len())
    } else {
        namespace
            .rules
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(&wanted))
    };
    let Some(credential) = credential else {
        return Err(ConnectError::usage(format!(
            "no team {team:?} in the demo organisation; teams: {}",
            teams(namespace).join(", ")
        )));
    };
    Ok(without_entity_path(&credential.connection_string))
}

/// The connection of `team` to the demo namespace, with its catalog at `catalog`.
pub fn connection(
    namespace: &NamespaceEndpoint,
    catalog: &str,
    team: &str,
) -> Result<Connection, ConnectError> {
    let text = connection_string(namespace, team)?;
    Ok(Connection::from_connection_string(&text, Some(catalog))?.with_namespace(&namespace.name))
}

/// Signing in as any of the demo's teams later (`:team NAME` in the console).
pub fn sign_in(namespace: NamespaceEndpoint, catalog: String) -> SignIn {
    Arc::new(move |team: &str| connection(&namespace, &catalog, team))
}

/// The teams one can sign in as, `platform` first.
pub fn teams(namespace: &NamespaceEndpoint) -> Vec<String> {
    let mut teams = vec![PLATFORM.to_owned()];
    for rule in &namespace.rules {
        if let Some(team) = rule.name.strip_prefix(RULE_PREFIX)
            && !teams.iter().any(|t| t == team)
        {
            teams.push(team.to_owned());
        }
    }
    teams
}

fn without_entity_path(connection_string: &str) -> String {
    connection_string
        .split(';')
        .filter(|part| {
            !part
                .split_once('=')
                .is_some_and(|(key, _)| key.trim().eq_ignore_ascii_case("EntityPath"))
        })
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::without_entity_path;

    #[test]
    fn entity_path_is_dropped_and_the_rest_kept() {
        assert_eq!(
            without_entity_path(
                "Endpoint=sb://h/;SharedAccessKeyName=team-a;SharedAccessKey=k;EntityPath=sale;UseDevelopmentEmulator=true"
            ),
            "Endpoint=sb://h/;SharedAccessKeyName=team-a;SharedAccessKey=k;UseDevelopmentEmulator=true"
        );
    }
}
