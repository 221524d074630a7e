//! Shared-access rights as Event Hubs defines them: Listen, Send, Manage.

use std::fmt;

/// A set of shared-access rights. `Manage` implies `Listen` and `Send`, as on Event Hubs.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rights {
    pub listen: bool,
    pub send: bool,
    pub manage: bool,
}

impl Rights {
    pub const ALL: Rights = Rights {
        listen: true,
        send: true,
        manage: true,
    };

    pub fn can_listen(self) -> bool {
        self.listen || self.manage
    }

    pub fn can_send(self) -> bool {
        self.send || self.manage
    }

    /// Either right: enough to see that a hub exists (Kafka's Metadata).
    pub fn can_listen_or_send(self) -> bool {
        self.can_listen() || self.can_send()
    }

    pub fn is_empty(self) -> bool {
        !(self.listen || self.send || self.manage)
    }

    /// Parses the names ARM uses (`Listen`, `Send`, `Manage`), case-insensitively.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Rights, String> {
        let mut rights = Rights::default();
        for name in names {
            match name.to_ascii_lowercase().as_str() {
                "listen" => rights.listen = true,
                "send" => rights.send = true,
                "manage" => rights.manage = true,
                other => {
                    return Err(format!(
                        "unknown right {other:?}: expected Listen, Send or Manage"
                    ));
                }
            }
        }
        if rights.is_empty() {
            return Err("a rule needs at least one right (Listen, Send or Manage)".into());
        }
        Ok(rights)
    }

    /// The names as ARM lists them.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.listen {
            names.push("Listen");
        }
        if self.send {
            names.push("Send");
        }
        if self.manage {
            names.push("Manage");
        }
        names
    }
}

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.names().join("|"))
    }
}
