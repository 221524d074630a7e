//! The replay form: which range of one partition to re-publish, filtered how, to which hub
//! and how fast. Kept as the text the user typed; the app parses it on submit.

/// The replay form's fields, in focus order.
use super::TextField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayField {
    Partition,
    From,
    To,
    Filter,
    Target,
    Rate,
}

impl ReplayField {
    pub const ORDER: [ReplayField; 6] = [
        ReplayField::Partition,
        ReplayField::From,
        ReplayField::To,
        ReplayField::Filter,
        ReplayField::Target,
        ReplayField::Rate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReplayField::Partition => "partition",
            ReplayField::From => "from",
            ReplayField::To => "to sequence",
            ReplayField::Filter => "filter",
            ReplayField::Target => "target hub",
            ReplayField::Rate => "rate per second",
        }
    }

    /// The next field (or the previous one with `back`), wrapping around.
    pub fn step(self, back: bool) -> ReplayField {
        let count = Self::ORDER.len();
        let at = Self::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        let next = if back { at + count - 1 } else { at + 1 };
        Self::ORDER[next % count]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayForm {
    pub partition: TextField,
    /// `earliest`, `seq:N`, `offset:X`, `time:RFC3339`.
    pub from: TextField,
    /// The last sequence number, inclusive; empty for the partition's newest.
    pub to: TextField,
    /// CloudEvents type, subject, source or id contains this; empty for every event.
    pub filter: TextField,
    pub target: TextField,
    /// Events per second at most; empty for as fast as the service takes them.
    pub rate: TextField,
    pub field: ReplayField,
    /// Why the last submit was not accepted.
    pub error: Option<String>,
}

impl ReplayForm {
    /// A form on `hub`, replaying to the same hub, `from` and `partition` prefilled when known.
    pub fn new(hub: &str, partition: Option<String>, from: Option<String>) -> Self {
        let field = match (&partition, &from) {
            (None, _) => ReplayField::Partition,
            (Some(_), None) => ReplayField::From,
            (Some(_), Some(_)) => ReplayField::To,
        };
        ReplayForm {
            partition: TextField::new(partition.as_deref().unwrap_or_default()),
            from: TextField::new(from.as_deref().unwrap_or("earliest")),
            to: TextField::new(""),
            filter: TextField::new(""),
            target: TextField::new(hub),
            rate: TextField::new(""),
            field,
            error: None,
        }
    }

    pub fn field(&self, field: ReplayField) -> &TextField {
        match field {
            ReplayField::Partition => &self.partition,
            ReplayField::From => &self.from,
            ReplayField::To => &self.to,
            ReplayField::Filter => &self.filter,
            ReplayField::Target => &self.target,
            ReplayField::Rate => &self.rate,
        }
    }

    /// The focused field's text, for typing into.
    pub fn focused_mut(&mut self) -> &mut TextField {
        match self.field {
            ReplayField::Partition => &mut self.partition,
            ReplayField::From => &mut self.from,
            ReplayField::To => &mut self.to,
            ReplayField::Filter => &mut self.filter,
            ReplayField::Target => &mut self.target,
            ReplayField::Rate => &mut self.rate,
        }
    }
}
