/// Who the console is signed in as, and the team whose resources come first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Display name of the signed-in principal (user, SAS rule, managed identity).
    pub name: String,
    /// The owning team this identity acts for, when known.
    pub team: Option<String>,
}

/// What the console became after switching to a named context (`:ctx NAME`): whom it acts as,
/// where, and how the context asks to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchedContext {
    pub name: String,
    pub identity: Identity,
    pub namespace: String,
    pub read_only: bool,
    pub theme: Option<String>,
    pub own_team_only: bool,
}
