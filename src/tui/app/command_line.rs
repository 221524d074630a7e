//! The `:` command line: a few verbs with aliases, parsed into what they mean.

use crate::model::StartPosition;
use crate::tui::action::Action;

#[derive(Debug, Clone, PartialEq)]
pub enum ConsoleCommand {
    /// A pane switch or another bindable action.
    Run(Action),
    /// `:tail [position]`: tail the selected hub from a position.
    Tail(Option<StartPosition>),
    /// `:theme NAME`.
    Theme(String),
    /// `:team NAME`: sign in as another team (the embedded demo).
    Team(String),
    /// `:ctx NAME`: connect to a named context from the user's config file.
    Context(String),
    /// `:search EXPR`: every retained event of the namespace's hubs that EXPR matches.
    Search(String),
    /// `:trace SUBJECT`: every event of one aggregate across the namespace's hubs.
    Trace(String),
}

/// Verbs and their aliases; the first name is the one help shows.
const VERBS: &[(&[&str], Action)] = &[
    (&["overview", "o"], Action::ShowOverview),
    (&["audit"], Action::ShowAudit),
    (&["hubs", "hub", "h"], Action::ShowHubs),
    (&["ns", "namespaces"], Action::ShowNamespaces),
    (&["partitions", "p"], Action::ShowPartitions),
    (
        &["cg", "lag", "consumer-groups"],
        Action::ShowConsumerGroups,
    ),
    (&["schemas", "sr"], Action::ShowSchemas),
    (&["capture", "cap"], Action::ShowCapture),
    (
        &["dlq", "deadletter", "deadletters", "dead-letters"],
        Action::ShowDeadLetters,
    ),
    (&["q", "quit"], Action::Quit),
    (&["help"], Action::Help),
];

pub fn parse_command_line(text: &str) -> Result<ConsoleCommand, String> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Err("empty command; try :hubs, :cg, :tail, :ns, :theme NAME, :q".to_owned());
    };
    let rest: Vec<&str> = words.collect();
    match verb {
        "tail" | "t" => match rest.as_slice() {
            [] => Ok(ConsoleCommand::Tail(None)),
            [position] => position
                .parse()
                .map(|p| ConsoleCommand::Tail(Some(p)))
                .map_err(|e| e.to_string()),
            _ => Err(":tail takes one position, e.g. :tail seq:1042".to_owned()),
        },
        "team" => match rest.as_slice() {
            [name] => Ok(ConsoleCommand::Team((*name).to_owned())),
            _ => Err(":team takes a team name, e.g. :team conversions".to_owned()),
        },
        "ctx" | "context" => match rest.as_slice() {
            [name] => Ok(ConsoleCommand::Context((*name).to_owned())),
            _ => Err(":ctx takes a context name from config.toml, e.g. :ctx prod".to_owned()),
        },
        "search" | "find" => match rest.join(" ") {
            expression if expression.is_empty() => Err(
                ":search takes an expression (CEL, or a bare word), e.g. :search type.endsWith(\".purchased\")"
                    .to_owned(),
            ),
            expression => Ok(ConsoleCommand::Search(expression)),
        },
        "trace" => match rest.as_slice() {
            [subject] => Ok(ConsoleCommand::Trace((*subject).to_owned())),
            _ => Err(":trace takes one subject (an aggregate id), e.g. :trace cont-00042".to_owned()),
        },
        "theme" => match rest.as_slice() {
            [name] => Ok(ConsoleCommand::Theme((*name).to_owned())),
            _ => Err(":theme takes a theme name, e.g. :theme light".to_owned()),
        },
        _ => {
            let (_, action) = VERBS
                .iter()
                .find(|(names, _)| names.contains(&verb))
                .ok_or_else(|| format!("unknown command :{verb}"))?;
            if rest.is_empty() {
                Ok(ConsoleCommand::Run(action.clone()))
            } else {
                Err(format!(":{verb} takes no arguments"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_verbs_and_aliases() {
        assert_eq!(
            parse_command_line("hubs"),
            Ok(ConsoleCommand::Run(Action::ShowHubs))
        );
        assert_eq!(
            parse_command_line(" cg "),
            Ok(ConsoleCommand::Run(Action::ShowConsumerGroups))
        );
        assert_eq!(
            parse_command_line("q"),
            Ok(ConsoleCommand::Run(Action::Quit))
        );
        assert_eq!(
            parse_command_line("ns"),
            Ok(ConsoleCommand::Run(Action::ShowNamespaces))
        );
        assert_eq!(
            parse_command_line("schemas"),
            Ok(ConsoleCommand::Run(Action::ShowSchemas))
        );
        assert_eq!(parse_command_line("tail"), Ok(ConsoleCommand::Tail(None)));
        assert_eq!(
            parse_command_line("tail seq:5"),
            Ok(ConsoleCommand::Tail(Some(StartPosition::Sequence(5))))
        );
        assert_eq!(
            parse_command_line("theme light"),
            Ok(ConsoleCommand::Theme("light".into()))
        );
        assert_eq!(
            parse_command_line("search data.total > 100 && type == \"x\""),
            Ok(ConsoleCommand::Search(
                "data.total > 100 && type == \"x\"".into()
            ))
        );
        assert_eq!(
            parse_command_line("trace cont-00042"),
            Ok(ConsoleCommand::Trace("cont-00042".into()))
        );
        assert!(parse_command_line("search").is_err());
        assert!(parse_command_line("trace a b").is_err());
    }

    #[test]
    fn errors_explain() {
        assert!(parse_command_line("").unwrap_err().contains(":hubs"));
        assert_eq!(
            parse_command_line("frobnicate").unwrap_err(),
            "unknown command :frobnicate"
        );
        assert!(
            parse_command_line("tail seq:x")
                .unwrap_err()
                .contains("sequence number")
        );
        assert!(
            parse_command_line("theme")
                .unwrap_err()
                .contains("theme name")
        );
    }
}
