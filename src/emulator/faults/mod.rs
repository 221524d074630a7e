//! Faults on demand: the emulator misbehaves the way Azure Event Hubs does when it is busy,
//! upgrading or failing over, so that consumers (ehops's and anyone's, through Microsoft's
//! SDKs) can be tested against it. Set at start (`ehops emulator --faults FILE`) or while it
//! runs (`PUT /faults` on the HTTP port, with a Manage token). See docs/fault-injection.md.
//!
//! - [`spec`]: the file format and its errors;
//! - [`schedule`]: rates and recurring windows;
//! - [`http`]: the `/faults` endpoint and the faults on the catalog and registry (and the
//!   way every HTTP fault is answered, which the checkpoint-store proxy shares).
//!
//! The AMQP hooks ask [`Faults`] one question at each opportunity (a send arrives, a
//! receiver's link has lived another second) and act on the answer.

pub mod connection;
pub mod http;
pub mod schedule;
pub mod spec;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use schedule::Schedule;

/// The client's side of a link: it sends (a producer) or receives (a consumer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Sender,
    Receiver,
}

/// The HTTP surfaces a fault may answer for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Catalog,
    Registry,
    /// The blob endpoint `--checkpoint-store-proxy` passes through ([`super::checkpoint_proxy`]).
    CheckpointStore,
}

/// What a fault applies to; an absent part matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub namespace: Option<String>,
    pub hub: Option<String>,
    pub partition: Option<String>,
    pub link: Option<LinkKind>,
}

/// Where an opportunity for a fault arises.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub namespace: &'a str,
    pub hub: &'a str,
    pub partition: Option<&'a str>,
    pub link: LinkKind,
}

impl Scope {
    fn covers(&self, place: &Place<'_>) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref()
                .is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(w)))
        };
        same(&self.namespace, Some(place.namespace))
            && same(&self.hub, Some(place.hub))
            && same(&self.partition, place.partition)
            && self.link.is_none_or(|l| l == place.link)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Detach the link with this error condition.
    Detach { condition: String },
    /// Refuse the send with `com.microsoft:server-busy`.
    RefuseSends,
    /// Shut the connection's socket down under it, without an AMQP close.
    DropConnection,
    /// Close the connection with `amqp:connection:forced`.
    CloseConnection,
    /// Hold each batch of deliveries this long before sending it.
    Delay(Duration),
    /// Deliver nothing while the fault is in its window.
    Stall,
    /// Treat a token put on `$cbs` as expired this long after it was put: its links are
    /// detached as Azure detaches them when a token runs out, and no link attaches with it.
    ExpireTokens(Duration),
    /// Answer HTTP with this status (0: never answer), with `Retry-After` seconds.
    Http {
        surface: Option<Surface>,
        status: u16,
        retry_after: Option<u64>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub scope: Scope,
    pub action: Action,
    pub schedule: Schedule,
}

/// The faults in force, shared by every connection and the HTTP server; empty by default.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<RwLock<Plan>>,
    /// How many times a fault struck since the faults were last set: a test of a client
    /// can tell that it was tested.
    struck: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct Plan {
    faults: Vec<Fault>,
    /// The text they were read from, as `GET /faults` returns it.
    source: String,
    /// Windows are counted from here.
    since: Option<Instant>,
}

impl Faults {
    /// Replaces the faults in force; their windows start now.
    pub fn replace(&self, faults: Vec<Fault>, source: String) {
        if let Ok(mut plan) = self.inner.write() {
            *plan = Plan {
                faults,
                source,
                since: Some(Instant::now()),
            };
        }
        self.struck.store(0, Ordering::Relaxed);
    }

    /// Strikes since the faults were last set.
    pub fn struck(&self) -> u64 {
        self.struck.load(Ordering::Relaxed)
    }

    /// The text of the faults in force.
    pub fn source(&self) -> String {
        self.inner
            .read()
            .map(|plan| plan.source.clone())
            .unwrap_or_default()
    }

    /// The first fault of a kind that strikes here now.
    fn strike<T>(&self, pick: impl Fn(&Fault) -> Option<T>) -> Option<T> {
        let plan = self.inner.read().ok()?;
        let elapsed = plan.since.map_or(Duration::ZERO, |since| since.elapsed());
        plan.faults
            .iter()
            .filter_map(|fault| pick(fault).map(|found| (fault, found)))
            .find(|(fault, _)| fault.schedule.fires(elapsed))
            .map(|(_, found)| {
                self.struck.fetch_add(1, Ordering::Relaxed);
                found
            })
    }

    /// The condition to detach a link with, if a detach strikes it now.
    pub fn detach(&self, place: &Place<'_>) -> Option<String> {
        self.strike(|fault| match &fault.action {
            Action::Detach { condition } if fault.scope.covers(place) => Some(condition.clone()),
            _ => None,
        })
    }

    /// Whether a send arriving here now is refused as server-busy.
    pub fn refuse_send(&self, place: &Place<'_>) -> bool {
        self.strike(|fault| {
            (fault.action == Action::RefuseSends && fault.scope.covers(place)).then_some(())
        })
        .is_some()
    }

    /// The fault that strikes a connection to one of `namespaces` now, if any.
    pub fn connection(&self, namespaces: &[String]) -> Option<connection::ConnectionFault> {
        self.strike(|fault| {
            let kind = match fault.action {
                Action::DropConnection => connection::ConnectionFault::Drop,
                Action::CloseConnection => connection::ConnectionFault::Close,
                _ => return None,
            };
            let covered = fault
                .scope
                .namespace
                .as_deref()
                .is_none_or(|wanted| namespaces.iter().any(|n| n.eq_ignore_ascii_case(wanted)));
            covered.then_some(kind)
        })
    }

    /// Whether a token put `age` ago counts as expired for a link here now.
    pub fn token_expired(&self, place: &Place<'_>, age: Duration) -> bool {
        self.strike(|fault| match fault.action {
            Action::ExpireTokens(after) if fault.scope.covers(place) && age >= after => Some(()),
            _ => None,
        })
        .is_some()
    }

    /// How long deliveries to a receiver here wait now, and whether to ask again after (a
    /// stall lasts as long as its window; a delay holds one batch).
    pub fn delivery_wait(&self, place: &Place<'_>) -> Option<(Duration, bool)> {
        self.strike(|fault| match fault.action {
            Action::Delay(delay) if fault.scope.covers(place) => Some((delay, false)),
            Action::Stall if fault.scope.covers(place) => Some((Duration::from_millis(250), true)),
            _ => None,
        })
    }

    /// The status (0: none) and `Retry-After` an HTTP request to `surface` gets now, if any.
    pub fn http(&self, surface: Surface) -> Option<(u16, Option<u64>)> {
        self.strike(|fault| match fault.action {
            Action::Http {
                surface: wanted,
                status,
                retry_after,
            } if wanted.is_none_or(|w| w == surface) => Some((status, retry_after)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_strikes_only_in_its_scope() {
        let faults = Faults::default();
        let text = "[[fault]]\nkind = \"detach\"\ncondition = \"com.microsoft:server-busy\"\nhub = \"orders\"\npartition = \"1\"\nlink = \"receiver\"\n";
        let parsed = spec::parse(text, std::path::Path::new("f.toml")).expect("parses");
        faults.replace(parsed, text.to_owned());
        let place = |hub, partition, link| Place {
            namespace: "ns",
            hub,
            partition: Some(partition),
            link,
        };
        assert_eq!(
            faults
                .detach(&place("orders", "1", LinkKind::Receiver))
                .as_deref(),
            Some("com.microsoft:server-busy")
        );
        assert_eq!(
            faults.detach(&place("orders", "0", LinkKind::Receiver)),
            None
        );
        assert_eq!(faults.detach(&place("ORDERS", "1", LinkKind::Sender)), None);
        assert_eq!(
            faults.detach(&place("single", "1", LinkKind::Receiver)),
            None
        );
        assert!(!faults.refuse_send(&place("orders", "1", LinkKind::Sender)));
    }

    #[test]
    fn a_token_counts_as_expired_only_once_it_is_as_old_as_the_fault_says() {
        let faults = Faults::default();
        let text = "[[fault]]\nkind = \"expire-tokens\"\nafter = \"10s\"\nhub = \"orders\"\n";
        let parsed = spec::parse(text, std::path::Path::new("f.toml")).expect("parses");
        faults.replace(parsed, text.to_owned());
        let place = |hub| Place {
            namespace: "ns",
            hub,
            partition: Some("0"),
            link: LinkKind::Receiver,
        };
        assert!(!faults.token_expired(&place("orders"), Duration::from_secs(9)));
        assert!(faults.token_expired(&place("orders"), Duration::from_secs(10)));
        assert!(!faults.token_expired(&place("single"), Duration::from_secs(60)));

        let missing = "[[fault]]\nkind = \"expire-tokens\"\n";
        let error = spec::parse(missing, std::path::Path::new("f.toml")).expect_err("refused");
        assert!(error.message.starts_with("field `after`"), "{error}");
    }
}
