//! Teams as an organisation describes them (the seed's teamconfig): who owns a resource (the
//! `team` tag names the team) and how to reach them. The console shows a hub's owner card
//! from this; the file is the demo's embedded one or the user's `teams.toml`.

use serde::Deserialize;

/// How to reach the team that owns a resource.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamCard {
    pub name: String,
    /// Where the team talks (a chat channel).
    #[serde(default)]
    pub channel: Option<String>,
    /// Where work for the team is filed.
    #[serde(default)]
    pub backlog: Option<String>,
    /// Who answers pages now.
    #[serde(default)]
    pub on_call: Option<String>,
    /// The team's security group (Entra group id or name), to map a signed-in identity.
    #[serde(default)]
    pub group: Option<String>,
}

/// Every team of the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Teams {
    #[serde(default, rename = "team")]
    pub teams: Vec<TeamCard>,
}

impl Teams {
    /// Parses a teams file (`[[team]]` tables); `origin` names it in the error.
    pub fn parse(text: &str, origin: &str) -> Result<Teams, String> {
        toml::from_str(text).map_err(|e| format!("{origin}: {e}"))
    }

    pub fn get(&self, name: &str) -> Option<&TeamCard> {
        self.teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

impl TeamCard {
    /// One line: `customer · #team-customer · backlog CUST · on-call Priya`.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.name.clone()];
        parts.extend(self.channel.clone());
        parts.extend(self.backlog.as_ref().map(|b| format!("backlog {b}")));
        parts.extend(self.on_call.as_ref().map(|o| format!("on-call {o}")));
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_teams_file_parses_and_cards_read_as_one_line() {
        let teams = Teams::parse(
            "[[team]]\nname = \"customer\"\nchannel = \"#team-customer\"\nbacklog = \"CUST\"\non_call = \"Priya\"\n\n[[team]]\nname = \"platform\"\n",
            "teams.toml",
        )
        .expect("parses");
        assert_eq!(
            teams.get("Customer").map(TeamCard::summary).as_deref(),
            Some("customer · #team-customer · backlog CUST · on-call Priya")
        );
        assert_eq!(
            teams.get("platform").map(TeamCard::summary).as_deref(),
            Some("platform")
        );
        assert!(teams.get("marketing").is_none());
    }

    #[test]
    fn a_bad_file_names_itself() {
        let error = Teams::parse("[[team]]\nchannel = 3\n", "teams.toml").expect_err("bad");
        assert!(error.starts_with("teams.toml:"), "{error}");
    }
}
