//! Entity addresses as clients spell them, normalised. Clients send `amqps://host/hub/...`,
//! `sb://host/hub`, or a bare `hub/...` (docs/protocol-notes.md section 1.2); names compare
//! case-insensitively (`$default` and `$Default` are one group).

/// A path of entity segments below the namespace, lower-cased: `[]` is the namespace itself,
/// `["orders"]` a hub, `["orders", "consumergroups", "$default", "partitions", "0"]` a
/// partition of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityPath(Vec<String>);

impl EntityPath {
    /// Parses a resource URI or bare address: the scheme and host are dropped.
    pub fn from_resource_uri(text: &str) -> Self {
        let rest = match text.split_once("://") {
            Some((_, after_scheme)) => after_scheme.split_once('/').map_or("", |(_, p)| p),
            None => text,
        };
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        EntityPath(
            rest.split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
        )
    }

    pub fn hub_only(hub: &str) -> Self {
        EntityPath(vec![hub.to_ascii_lowercase()])
    }

    pub fn hub(&self) -> Option<&str> {
        self.0.first().map(String::as_str)
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Whether `other` is this path or below it.
    pub fn covers(&self, other: &EntityPath) -> bool {
        other.0.len() >= self.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a == b)
    }
}

/// What a link address points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `$cbs` or `$management`, or a client's reply node.
    Node(String),
    /// `{hub}` or `{hub}/Partitions/{p}`: where producers send.
    Hub {
        hub: String,
        partition: Option<String>,
    },
    /// `{hub}/ConsumerGroups/{cg}/Partitions/{p}`: where consumers read.
    Partition {
        hub: String,
        consumer_group: String,
        partition: String,
    },
}

impl LinkTarget {
    pub fn parse(address: &str) -> Option<LinkTarget> {
        let path = EntityPath::from_resource_uri(address);
        // Keep the original spelling of names for replies and errors.
        let original: Vec<&str> = {
            let rest = match address.split_once("://") {
                Some((_, after)) => after.split_once('/').map_or("", |(_, p)| p),
                None => address,
            };
            rest.split('/').filter(|s| !s.is_empty()).collect()
        };
        match path.segments() {
            [node] if node.starts_with('$') => Some(LinkTarget::Node(original[0].to_string())),
            [_] => Some(LinkTarget::Hub {
                hub: original[0].to_string(),
                partition: None,
            }),
            [_, kw, _] if kw == "partitions" => Some(LinkTarget::Hub {
                hub: original[0].to_string(),
                partition: Some(original[2].to_string()),
            }),
            [_, kw1, _, kw2, _] if kw1 == "consumergroups" && kw2 == "partitions" => {
                Some(LinkTarget::Partition {
                    hub: original[0].to_string(),
                    consumer_group: original[2].to_string(),
                    partition: original[4].to_string(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_from_every_sdk_parse_alike() {
        let expected = LinkTarget::Partition {
            hub: "orders".into(),
            consumer_group: "$Default".into(),
            partition: "3".into(),
        };
        assert_eq!(
            LinkTarget::parse("amqps://localhost:5672/orders/ConsumerGroups/$Default/Partitions/3"),
            Some(expected.clone())
        );
        assert_eq!(
            LinkTarget::parse("orders/ConsumerGroups/$Default/Partitions/3"),
            Some(expected)
        );
        assert_eq!(
            LinkTarget::parse("amqps://ns.servicebus.windows.net/orders/Partitions/1"),
            Some(LinkTarget::Hub {
                hub: "orders".into(),
                partition: Some("1".into())
            })
        );
        assert_eq!(
            LinkTarget::parse("$cbs"),
            Some(LinkTarget::Node("$cbs".into()))
        );
        assert_eq!(LinkTarget::parse("orders/bogus/x/y"), None);
    }

    #[test]
    fn scope_covers_paths_below_it() {
        let hub = EntityPath::from_resource_uri("sb://h/Orders");
        assert!(hub.covers(&EntityPath::from_resource_uri(
            "orders/consumergroups/x/partitions/0"
        )));
        assert!(!hub.covers(&EntityPath::from_resource_uri("orders2")));
        assert!(EntityPath::default().covers(&hub));
    }
}
