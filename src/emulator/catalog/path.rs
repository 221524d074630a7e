//! Catalog URLs, parsed by hand rather than by router patterns because ARM matches its path
//! keywords (`resourceGroups`, `Microsoft.EventHub`, `eventhubs`, ...) case-insensitively and
//! clients do send them in either case.

use percent_encoding::percent_decode_str;

use super::error::ArmError;
use super::{RESOURCE_GROUP, SUBSCRIPTION_ID};

/// What a catalog URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    Subscriptions,
    Subscription,
    /// The resource group itself.
    Group,
    Namespaces,
    Namespace {
        ns: String,
    },
    NamespaceRules {
        ns: String,
    },
    Hubs {
        ns: String,
    },
    Hub {
        ns: String,
        hub: String,
    },
    HubRules {
        ns: String,
        hub: String,
    },
    ConsumerGroups {
        ns: String,
        hub: String,
    },
    ConsumerGroup {
        ns: String,
        hub: String,
        cg: String,
    },
    /// `{scope}/providers/Microsoft.Authorization/permissions`: what the caller may do at a
    /// subscription, resource group, namespace or hub.
    Permissions {
        scope: Box<Resource>,
    },
}

/// The suffix that asks for the caller's effective permissions at the path before it.
const PERMISSIONS_SUFFIX: [&str; 3] = ["providers", "Microsoft.Authorization", "permissions"];

/// Parses a request path. A subscription or resource group other than the emulator's one is
/// a 404 with ARM's own codes for them.
pub fn parse(path: &str) -> Result<Resource, ArmError> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let words: Vec<&str> = segments.iter().map(String::as_str).collect();
    if let Some(scope_words) = permissions_scope(&words) {
        let scope = parse_words(scope_words, path)?;
        return match scope {
            Resource::Subscription
            | Resource::Group
            | Resource::Namespace { .. }
            | Resource::Hub { .. } => Ok(Resource::Permissions {
                scope: Box::new(scope),
            }),
            _ => Err(ArmError::not_found(format!(
                "No permissions are kept for the scope of {path:?}: ask at a subscription, resource group, namespace or event hub."
            ))),
        };
    }
    parse_words(&words, path)
}

/// The scope part of a permissions path, matching the suffix's keywords in any case.
fn permissions_scope<'a, 'b>(words: &'a [&'b str]) -> Option<&'a [&'b str]> {
    let at = words.len().checked_sub(PERMISSIONS_SUFFIX.len())?;
    let (scope, suffix) = words.split_at(at);
    suffix
        .iter()
        .zip(PERMISSIONS_SUFFIX)
        .all(|(word, keyword)| word.eq_ignore_ascii_case(keyword))
        .then_some(scope)
}

fn parse_words(words: &[&str], path: &str) -> Result<Resource, ArmError> {
    let no_route = || ArmError::not_found(format!("No catalog resource at {path:?}."));
    let is = |text: &str, keyword: &str| text.eq_ignore_ascii_case(keyword);

    let (subscription, rest) = match words {
        [first] if is(first, "subscriptions") => return Ok(Resource::Subscriptions),
        [first, sub, rest @ ..] if is(first, "subscriptions") => (*sub, rest),
        _ => return Err(no_route()),
    };
    if !subscription.eq_ignore_ascii_case(SUBSCRIPTION_ID) {
        return Err(ArmError {
            code: "SubscriptionNotFound",
            ..ArmError::not_found(format!(
                "The subscription '{subscription}' could not be found."
            ))
        });
    }
    let (resource_group, rest) = match rest {
        [] => return Ok(Resource::Subscription),
        [kw, rg, rest @ ..] if is(kw, "resourceGroups") => (Some(*rg), rest),
        rest => (None, rest),
    };
    if let Some(rg) = resource_group
        && !rg.eq_ignore_ascii_case(RESOURCE_GROUP)
    {
        return Err(ArmError {
            code: "ResourceGroupNotFound",
            ..ArmError::not_found(format!("Resource group '{rg}' could not be found."))
        });
    }
    let rest = match rest {
        [] if resource_group.is_some() => return Ok(Resource::Group),
        [p, provider, n, rest @ ..]
            if is(p, "providers") && is(provider, "Microsoft.EventHub") && is(n, "namespaces") =>
        {
            rest
        }
        _ => return Err(no_route()),
    };
    let owned = |s: &&str| (*s).to_string();
    // Single resources live under a resource group; only the namespace list may go without.
    let resource = match (resource_group.is_some(), rest) {
        (_, []) => Resource::Namespaces,
        (true, [ns]) => Resource::Namespace { ns: owned(ns) },
        (true, [ns, kw]) if is(kw, "authorizationRules") => {
            Resource::NamespaceRules { ns: owned(ns) }
        }
        (true, [ns, kw]) if is(kw, "eventhubs") => Resource::Hubs { ns: owned(ns) },
        (true, [ns, kw, hub]) if is(kw, "eventhubs") => Resource::Hub {
            ns: owned(ns),
            hub: owned(hub),
        },
        (true, [ns, kw, hub, sub]) if is(kw, "eventhubs") && is(sub, "authorizationRules") => {
            Resource::HubRules {
                ns: owned(ns),
                hub: owned(hub),
            }
        }
        (true, [ns, kw, hub, sub]) if is(kw, "eventhubs") && is(sub, "consumergroups") => {
            Resource::ConsumerGroups {
                ns: owned(ns),
                hub: owned(hub),
            }
        }
        (true, [ns, kw, hub, sub, cg]) if is(kw, "eventhubs") && is(sub, "consumergroups") => {
            Resource::ConsumerGroup {
                ns: owned(ns),
                hub: owned(hub),
                cg: owned(cg),
            }
        }
        _ => return Err(no_route()),
    };
    Ok(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "/subscriptions/00000000-0000-0000-0000-000000000000";

    #[test]
    fn paths_parse_whatever_the_keyword_case() {
        assert_eq!(parse("/subscriptions"), Ok(Resource::Subscriptions));
        assert_eq!(
            parse(&format!("{BASE}/providers/Microsoft.EventHub/namespaces")),
            Ok(Resource::Namespaces)
        );
        assert_eq!(
            parse(&format!(
                "{BASE}/resourcegroups/EHOPS-LOCAL/providers/microsoft.eventhub/Namespaces/ns/EventHubs/sale/ConsumerGroups/%24Default"
            )),
            Ok(Resource::ConsumerGroup {
                ns: "ns".into(),
                hub: "sale".into(),
                cg: "$Default".into()
            })
        );
    }

    #[test]
    fn permissions_paths_name_their_scope() {
        let hub = parse(&format!(
            "{BASE}/resourceGroups/ehops-local/providers/Microsoft.EventHub/namespaces/ns/eventhubs/sale/providers/microsoft.authorization/Permissions"
        ));
        assert_eq!(
            hub,
            Ok(Resource::Permissions {
                scope: Box::new(Resource::Hub {
                    ns: "ns".into(),
                    hub: "sale".into()
                })
            })
        );
        let rg = parse(&format!(
            "{BASE}/resourceGroups/ehops-local/providers/Microsoft.Authorization/permissions"
        ));
        assert_eq!(
            rg,
            Ok(Resource::Permissions {
                scope: Box::new(Resource::Group)
            })
        );
        let cg = parse(&format!(
            "{BASE}/resourceGroups/ehops-local/providers/Microsoft.EventHub/namespaces/ns/eventhubs/sale/consumergroups/x/providers/Microsoft.Authorization/permissions"
        ));
        assert_eq!(cg.map_err(|e| e.code), Err("NotFound"));
    }

    #[test]
    fn other_subscriptions_and_groups_are_not_found_with_arm_codes() {
        let other = parse("/subscriptions/1/providers/Microsoft.EventHub/namespaces");
        assert_eq!(other.map_err(|e| e.code), Err("SubscriptionNotFound"));
        let rg = parse(&format!(
            "{BASE}/resourceGroups/prod/providers/Microsoft.EventHub/namespaces"
        ));
        assert_eq!(rg.map_err(|e| e.code), Err("ResourceGroupNotFound"));
        let no_rg = parse(&format!(
            "{BASE}/providers/Microsoft.EventHub/namespaces/ns"
        ));
        assert_eq!(no_rg.map_err(|e| e.code), Err("NotFound"));
    }
}
