//! Who is asking, and what they may see. The catalog takes the same shared-access tokens as
//! the data plane (`Authorization: SharedAccessSignature sr=...&sig=...&se=...&skn=...`) and
//! scopes every answer by the rule that signed it (also as `Authorization: Bearer
//! SharedAccessSignature ...`, for clients that only send bearer tokens):
//! - a namespace-level rule (with `sr` naming the namespace) sees the whole namespace;
//! - a hub-level rule sees the hubs that define a rule of that name with the same key (the
//!   demo's `team-customer` is on several hubs), and their namespace, and nothing else.
//!
//! The token may also come as `Bearer SharedAccessSignature ...`, as an ARM client built on a
//! `TokenCredential` sends whatever token its credential hands out.
//!
//! The host in `sr` is not checked, as on the data plane: clients sign for whatever host they
//! reach the emulator by.
//!
//! So a team's identity sees only its hubs, as it would in Azure with RBAC scoped to them.
//! Issue "sign-in and team scoping" replaces this with Entra ID tokens and role assignments;
//! until then a SAS rule stands in for a team's security group.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

use super::error::ArmError;
use crate::emulator::config::{HubConfig, NamespaceConfig, Rights};
use crate::emulator::entity_path::EntityPath;
use crate::emulator::sas::{self, SasError};

pub struct Caller {
    token: String,
    /// Unix seconds, fixed for the request so every check agrees.
    now: i64,
}

impl Caller {
    /// The caller of a request, or a 401 when it carries no shared-access token.
    pub fn from_headers(headers: &HeaderMap, now: i64) -> Result<Caller, ArmError> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Err(ArmError::unauthorized(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            ));
        };
        let value = value.to_str().unwrap_or("").trim();
        // SDKs that only do Entra ID (the Schema Registry clients) send `Bearer <token>`; a
        // shared-access token in that place is accepted as if it came bare.
        let token = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => value,
        }
        .to_string();
        if !sas::is_sas(&token) {
            return Err(ArmError::unauthorized(
                "InvalidAuthenticationToken",
                "The emulator takes a SharedAccessSignature token in the Authorization header (bare or after 'Bearer ').",
            ));
        }
        Ok(Caller { token, now })
    }

    /// Whether the token signs for a rule anywhere; a 401 naming why when it does not.
    pub fn check_valid_somewhere<'a>(
        &self,
        namespaces: impl IntoIterator<Item = &'a NamespaceConfig>,
    ) -> Result<(), ArmError> {
        let mut expired = false;
        for namespace in namespaces {
            let audiences = std::iter::once(EntityPath::default())
                .chain(namespace.hubs.iter().map(|h| EntityPath::hub_only(&h.name)));
            for audience in audiences {
                match sas::validate(&self.token, namespace, &audience, self.now) {
                    Ok(_) => return Ok(()),
                    Err(SasError::Expired) => expired = true,
                    Err(_) => {}
                }
            }
        }
        Err(if expired {
            ArmError::unauthorized(
                "ExpiredAuthenticationToken",
                "The access token expiry is in the past.",
            )
        } else {
            ArmError::unauthorized(
                "InvalidAuthenticationToken",
                "The access token does not match any shared access rule of this emulator.",
            )
        })
    }

    /// Whether the caller may register in a group with these `contributors` (Azure's Schema
    /// Registry Contributor), where any rule that sees the namespace may read: a
    /// namespace-level rule with Send or Manage (the role assigned on the namespace), or a
    /// rule the group names as a contributor (the role assigned on the group). Send on some hub alone is not enough: on Azure a role on
    /// one event hub grants nothing in the registry.
    pub fn may_register_in(&self, namespace: &NamespaceConfig, contributors: &[String]) -> bool {
        if self
            .namespace_rights(namespace)
            .is_some_and(Rights::can_send)
        {
            return true;
        }
        std::iter::once(EntityPath::default())
            .chain(namespace.hubs.iter().map(|h| EntityPath::hub_only(&h.name)))
            .filter_map(|path| sas::validate(&self.token, namespace, &path, self.now).ok())
            .any(|grant| contributors.contains(&grant.rule))
    }

    /// Whether the caller may register in at least one group of the namespace.
    pub fn may_register_somewhere_in(&self, namespace: &NamespaceConfig) -> bool {
        namespace
            .schema_groups
            .iter()
            .any(|group| self.may_register_in(namespace, &group.contributors))
    }

    /// Whether the caller holds a rule over the whole namespace.
    pub fn sees_all_of(&self, namespace: &NamespaceConfig) -> bool {
        self.namespace_rights(namespace).is_some()
    }

    pub fn sees_hub(&self, namespace: &NamespaceConfig, hub: &HubConfig) -> bool {
        self.hub_rights(namespace, hub).is_some()
    }

    /// The rights of the caller's rule when it covers the whole namespace.
    pub fn namespace_rights(&self, namespace: &NamespaceConfig) -> Option<Rights> {
        sas::validate(&self.token, namespace, &EntityPath::default(), self.now)
            .ok()
            .filter(|grant| grant.scope.segments().is_empty())
            .map(|grant| grant.rights)
    }

    /// The rights the caller's rule gives on `hub`, whether it is the hub's rule or the
    /// namespace's.
    pub fn hub_rights(&self, namespace: &NamespaceConfig, hub: &HubConfig) -> Option<Rights> {
        let path = EntityPath::hub_only(&hub.name);
        sas::validate(&self.token, namespace, &path, self.now)
            .ok()
            .filter(|grant| grant.scope.covers(&path))
            .map(|grant| grant.rights)
    }

    /// A namespace is visible to whoever sees all of it or any hub in it.
    pub fn sees_namespace(&self, namespace: &NamespaceConfig) -> bool {
        self.sees_all_of(namespace) || namespace.hubs.iter().any(|h| self.sees_hub(namespace, h))
    }
}
