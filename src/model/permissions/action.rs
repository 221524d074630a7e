//! The actions the console offers on a hub or consumer group, each with the Azure operations
//! it needs. This is the one list: the action menu, the headless refusals and the docs read
//! it. Operation names are from Microsoft's "Azure resource provider operations" page
//! (learn.microsoft.com `role-based-access-control/resource-provider-operations`, sections
//! Microsoft.EventHub and Microsoft.Storage).

use std::fmt;

use super::{Permissions, Plane};

pub const RECEIVE: &str = "Microsoft.EventHub/namespaces/messages/receive/action";
pub const SEND: &str = "Microsoft.EventHub/namespaces/messages/send/action";
pub const CONSUMER_GROUPS_READ: &str =
    "Microsoft.EventHub/namespaces/eventhubs/consumergroups/read";
pub const CONSUMER_GROUPS_WRITE: &str =
    "Microsoft.EventHub/namespaces/eventhubs/consumergroups/write";
pub const SCHEMA_GROUPS_READ: &str = "Microsoft.EventHub/namespaces/schemagroups/read";
pub const SCHEMAS_READ: &str = "Microsoft.EventHub/namespaces/schemas/read";
pub const SCHEMAS_WRITE: &str = "Microsoft.EventHub/namespaces/schemas/write";
pub const BLOBS_READ: &str = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
pub const BLOBS_WRITE: &str =
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";

/// Where an operation is checked: permissions are fetched per scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// The selected event hub.
    EventHub,
    /// The namespace (schema groups live there).
    Namespace,
    /// The storage account (or container) holding the checkpoint blobs.
    CheckpointStorage,
    /// The hub dead-lettered events are copied to (the signed-in team's).
    DeadLetterHub,
}

impl ScopeKind {
    pub fn describe(self) -> &'static str {
        match self {
            ScopeKind::EventHub => "the event hub",
            ScopeKind::Namespace => "the namespace",
            ScopeKind::CheckpointStorage => "the checkpoint storage",
            ScopeKind::DeadLetterHub => "the dead-letter hub",
        }
    }
}

/// One Azure operation an action needs, and the scope it is checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub plane: Plane,
    pub operation: &'static str,
    pub scope: ScopeKind,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.plane {
            Plane::Control => "action",
            Plane::Data => "data action",
        };
        write!(
            f,
            "{} ({kind}) on {}",
            self.operation,
            self.scope.describe()
        )
    }
}

const fn data(operation: &'static str, scope: ScopeKind) -> Requirement {
    Requirement {
        plane: Plane::Data,
        operation,
        scope,
    }
}

const fn control(operation: &'static str, scope: ScopeKind) -> Requirement {
    Requirement {
        plane: Plane::Control,
        operation,
        scope,
    }
}

/// What the console can do to a hub or consumer group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsoleAction {
    /// Tail the hub's events live.
    Tail,
    /// Show a consumer group's lag: its checkpoints against the partitions' ends.
    Lag,
    /// List the namespace's schema groups and read their schemas.
    ViewSchemas,
    /// Send an event to the hub.
    Produce,
    /// Move a consumer group's checkpoints (to a time, an offset, the start or the end).
    ResetCheckpoints,
    /// Copy a poison event to the team's dead-letter hub and step the checkpoint past it.
    DeadLetter,
    /// Send events from a dead-letter hub (or a range) back to their hub.
    Replay,
    /// Create a consumer group on the hub.
    CreateConsumerGroup,
    /// Register a new schema version.
    RegisterSchema,
}

use ScopeKind::{CheckpointStorage, DeadLetterHub, EventHub, Namespace};

impl ConsoleAction {
    /// Every action, in the order the menu lists them.
    pub const ALL: [ConsoleAction; 9] = [
        ConsoleAction::Tail,
        ConsoleAction::Lag,
        ConsoleAction::ViewSchemas,
        ConsoleAction::Produce,
        ConsoleAction::ResetCheckpoints,
        ConsoleAction::DeadLetter,
        ConsoleAction::Replay,
        ConsoleAction::CreateConsumerGroup,
        ConsoleAction::RegisterSchema,
    ];

    /// The Azure operations the action needs, all of them.
    pub fn requirements(self) -> &'static [Requirement] {
        const TAIL: &[Requirement] = &[data(RECEIVE, EventHub)];
        const LAG: &[Requirement] = &[
            control(CONSUMER_GROUPS_READ, EventHub),
            data(BLOBS_READ, CheckpointStorage),
        ];
        const VIEW_SCHEMAS: &[Requirement] = &[
            control(SCHEMA_GROUPS_READ, Namespace),
            data(SCHEMAS_READ, Namespace),
        ];
        const PRODUCE: &[Requirement] = &[data(SEND, EventHub)];
        // Moving a consumer group's checkpoints is managing that consumer group: ehops asks
        // for the consumer-group write on the hub as well as the blob write, so a team cannot
        // move another team's readers just because the checkpoint container is shared.
        const RESET: &[Requirement] = &[
            control(CONSUMER_GROUPS_WRITE, EventHub),
            data(BLOBS_READ, CheckpointStorage),
            data(BLOBS_WRITE, CheckpointStorage),
        ];
        // Dead-lettering reads the poison event, sends the copy to the team's dead-letter
        // hub and moves the checkpoint: the consuming team needs no send right on the hub
        // it reads, only on its own dead-letter hub.
        const DEAD_LETTER: &[Requirement] = &[
            data(RECEIVE, EventHub),
            data(SEND, DeadLetterHub),
            data(BLOBS_WRITE, CheckpointStorage),
        ];
        const REPLAY: &[Requirement] = &[data(RECEIVE, EventHub), data(SEND, EventHub)];
        const CREATE_CG: &[Requirement] = &[control(CONSUMER_GROUPS_WRITE, EventHub)];
        const REGISTER_SCHEMA: &[Requirement] = &[data(SCHEMAS_WRITE, Namespace)];
        match self {
            ConsoleAction::Tail => TAIL,
            ConsoleAction::Lag => LAG,
            ConsoleAction::ViewSchemas => VIEW_SCHEMAS,
            ConsoleAction::Produce => PRODUCE,
            ConsoleAction::ResetCheckpoints => RESET,
            ConsoleAction::DeadLetter => DEAD_LETTER,
            ConsoleAction::Replay => REPLAY,
            ConsoleAction::CreateConsumerGroup => CREATE_CG,
            ConsoleAction::RegisterSchema => REGISTER_SCHEMA,
        }
    }

    /// Whether the action changes anything: mutating actions are flagged dangerous and a
    /// read-only context drops them.
    pub fn is_mutating(self) -> bool {
        !matches!(
            self,
            ConsoleAction::Tail | ConsoleAction::Lag | ConsoleAction::ViewSchemas
        )
    }

    /// Whether the console can carry the action out. Producing new events, creating
    /// consumer groups and registering schemas are listed (so their permissions show) but
    /// are left to the teams' own tooling.
    pub fn is_implemented(self) -> bool {
        !matches!(
            self,
            ConsoleAction::Produce
                | ConsoleAction::CreateConsumerGroup
                | ConsoleAction::RegisterSchema
        )
    }

    /// The snake_case name keymaps and `--help` use.
    pub fn name(self) -> &'static str {
        match self {
            ConsoleAction::Tail => "tail",
            ConsoleAction::Lag => "lag",
            ConsoleAction::ViewSchemas => "view_schemas",
            ConsoleAction::Produce => "produce",
            ConsoleAction::ResetCheckpoints => "reset_checkpoints",
            ConsoleAction::DeadLetter => "dead_letter",
            ConsoleAction::Replay => "replay",
            ConsoleAction::CreateConsumerGroup => "create_consumer_group",
            ConsoleAction::RegisterSchema => "register_schema",
        }
    }

    pub fn from_name(name: &str) -> Option<ConsoleAction> {
        ConsoleAction::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Decides the action against the permissions known for each scope. `scope` answers
    /// `None` for a scope that RBAC does not govern (a local checkpoint directory, a SAS
    /// connection string's own rights already checked by the service): those requirements
    /// are taken as met.
    pub fn evaluate<'a>(self, scope: impl Fn(ScopeKind) -> Option<&'a Permissions>) -> Verdict {
        let missing: Vec<Requirement> = self
            .requirements()
            .iter()
            .filter(|r| scope(r.scope).is_some_and(|p| !p.meets(r)))
            .copied()
            .collect();
        if missing.is_empty() {
            Verdict::Allowed
        } else {
            Verdict::Denied { missing }
        }
    }
}

/// Whether the signed-in identity may take an action, and if not, what it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied { missing: Vec<Requirement> },
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed)
    }

    /// The refusal as one line: the same words in the menu and on a headless command's stderr.
    pub fn reason(&self, action: ConsoleAction) -> Option<String> {
        match self {
            Verdict::Allowed => None,
            Verdict::Denied { missing } => {
                let needs: Vec<String> = missing.iter().map(Requirement::to_string).collect();
                Some(format!(
                    "{} is not permitted: missing {}",
                    action.name(),
                    needs.join(", ")
                ))
            }
        }
    }
}
