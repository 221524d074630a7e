//! What every headless incident action (`reset`, `deadletter`, `replay`, `redrive`) shares:
//! the connection with its audit trail, and the safety checks made before anything is read
//! for a plan: refused in a read-only context, refused when the identity lacks the right
//! (the same words as the console's action menu), each refusal audited. A dry run is the
//! default; `--execute` carries the plan out.

use clap::Args;

use super::target::{self, DEFAULT_CONSUMER_GROUP, Target, TargetArgs};
use super::{exit, fail, permission_gate};
use crate::model::permissions::ConsoleAction;
use crate::ops::audited::{self, Trail};
use crate::ops::permissions;

/// Flags every incident action takes.
#[derive(Debug, Clone, Default, Args)]
pub struct Execution {
    /// Carry the action out. Without it, only the dry run is shown and nothing changes.
    #[arg(long)]
    pub execute: bool,
    /// The dry run and the result as JSON (one object each).
    #[arg(long)]
    pub json: bool,
}

/// A connection ready for incident actions.
pub struct Incident {
    pub target: Target,
    pub trail: Trail,
}

impl Incident {
    /// Connects as the other commands do, with the audit trail under the data directory.
    pub async fn open(target_args: &TargetArgs) -> Result<Self, u8> {
        let target = target::open(target_args, DEFAULT_CONSUMER_GROUP)
            .await
            .map_err(|e| fail(&e))?;
        let trail = target.audit_trail();
        Ok(Self { target, trail })
    }

    /// Refuses `action` in a read-only context or when the identity lacks a permission it
    /// needs on `hub` (and on `dead_letter_hub` for a dead-letter); the refusal is audited.
    pub async fn allow(
        &self,
        action: ConsoleAction,
        name: &str,
        hub: &str,
        consumer_group: Option<&str>,
        dead_letter_hub: Option<&str>,
    ) -> Result<(), u8> {
        let connection = self.target.plane.connection();
        let reason = if self.target.read_only {
            Some(format!(
                "{name} is not permitted: this context is read-only"
            ))
        } else {
            permissions::with_dead_letter(connection, hub, dead_letter_hub)
                .await
                .verdict(action)
                .reason(action)
                .map(|reason| {
                    if action.name() == name {
                        reason
                    } else {
                        format!("{name} on {hub}: {reason}")
                    }
                })
        };
        let Some(reason) = reason else {
            return Ok(());
        };
        // A hub that does not exist is not a refusal: say so, with its own exit code.
        if !self.target.read_only
            && let Err(missing) = permission_gate::hub_exists(&self.target.plane, hub).await
        {
            return Err(fail(&missing));
        }
        eprintln!("error: {reason} (as {})", connection.principal);
        self.record_refusal(name, hub, consumer_group, &reason)
            .await;
        Err(exit::PERMISSION_DENIED)
    }

    /// Audits a refusal decided by the command itself (a confirmation that does not match).
    pub async fn refuse(
        &self,
        name: &str,
        hub: &str,
        consumer_group: Option<&str>,
        reason: &str,
        code: u8,
    ) -> u8 {
        eprintln!("error: {reason}");
        self.record_refusal(name, hub, consumer_group, reason).await;
        code
    }

    /// Appends the refusal to the audit trail; a trail that cannot be written is said, and
    /// the refusal stands either way.
    async fn record_refusal(
        &self,
        name: &str,
        hub: &str,
        consumer_group: Option<&str>,
        reason: &str,
    ) {
        let recorded = audited::refused(
            &self.target.plane,
            &self.trail,
            name,
            hub,
            consumer_group,
            reason,
        )
        .await;
        if let Err(error) = recorded {
            eprintln!("error: {error}");
        }
    }
}

/// Prints one JSON object on its own line.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

/// Ends a dry run (the default) with its closing line: `Some(exit code)` when nothing is to
/// be executed.
pub fn dry_run_only(execution: &Execution) -> Option<u8> {
    if execution.execute {
        return None;
    }
    dry_run_footer(execution.json);
    Some(exit::OK)
}

/// The closing line of a dry run.
pub fn dry_run_footer(json: bool) {
    if !json {
        println!("dry run: nothing changed; add --execute to carry it out");
    }
}
