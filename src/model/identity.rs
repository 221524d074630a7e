/// Who the console is signed in as, and the team whose resources come first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Display name of the signed-in principal (user, SAS rule, managed identity).
    pub name: String,
    /// The owning team this identity acts for, when known.
    pub team: Option<String>,
}
