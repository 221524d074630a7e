//! Every namespace the identity can list, in one console: the overview lists the hubs of all
//! of them (a platform team watches many), and the backend reads one at a time, the namespace
//! of the hub last chosen. Choosing a hub of another namespace tells the backend first, so
//! what follows (its partitions, a tail, an action) goes to the right namespace.

use std::collections::BTreeSet;

use super::App;
use crate::model::{Hub, Namespace};
use crate::protocol::{ReadRequest, Request};
use crate::tui::views::View;

impl App {
    /// The first requests to send, before any input: the namespaces, and the home one's hubs
    /// (on screen as soon as they come; the other namespaces' hubs join as they are listed).
    pub fn start(&mut self) -> Vec<Request> {
        let home = self.home_namespace.clone();
        vec![self.request_hubs_of(&home), self.request_namespaces()]
    }

    pub(crate) fn request_namespaces(&mut self) -> Request {
        let request = self.issue();
        self.latest.namespaces = Some(request);
        Request::Read(ReadRequest::ListNamespaces { request })
    }

    /// The hubs of every namespace listed so far (the home one before any listing).
    pub(crate) fn request_hubs(&mut self) -> Vec<Request> {
        let mut names: Vec<String> = self.namespaces.iter().map(|n| n.name.clone()).collect();
        if names.is_empty() {
            names.push(self.home_namespace.clone());
        }
        names.iter().map(|n| self.request_hubs_of(n)).collect()
    }

    fn request_hubs_of(&mut self, namespace: &str) -> Request {
        let request = self.issue();
        self.latest.hub_lists.insert(namespace.to_owned(), request);
        Request::Read(ReadRequest::ListHubs {
            request,
            namespace: namespace.to_owned(),
        })
    }

    /// The namespaces listed: hubs of namespaces no longer listed go; those never asked for
    /// are listed.
    pub(super) fn namespaces_loaded(&mut self, namespaces: Vec<Namespace>) -> Vec<Request> {
        let listed: BTreeSet<String> = namespaces.iter().map(|n| n.name.clone()).collect();
        self.namespaces = namespaces;
        self.hubs.retain(|h| listed.contains(&h.namespace));
        let unasked: Vec<String> = (listed.iter())
            .filter(|n| !self.latest.hub_lists.contains_key(*n))
            .cloned()
            .collect();
        self.latest.hub_lists.retain(|n, _| listed.contains(n));
        unasked.iter().map(|n| self.request_hubs_of(n)).collect()
    }

    /// Whether `request` is the latest listing of `namespace`'s hubs.
    pub(super) fn is_latest_hub_list(
        &self,
        namespace: &str,
        request: crate::protocol::RequestId,
    ) -> bool {
        self.latest.hub_lists.get(namespace) == Some(&request)
    }

    /// One namespace's hubs replace what was listed of it; the signed-in team's hubs first,
    /// then by name, the home namespace's before another's of the same name.
    pub(super) fn hubs_loaded(&mut self, namespace: &str, hubs: Vec<Hub>) -> Request {
        self.hubs.retain(|h| h.namespace != namespace);
        self.hubs.extend(hubs);
        let team = self.identity.team.clone();
        let home = self.home_namespace.clone();
        self.hubs.sort_by(|a, b| {
            let key = |h: &Hub| {
                (
                    !h.is_owned_by(team.as_deref()),
                    h.name.clone(),
                    h.namespace != home,
                    h.namespace.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.watch_lag()
    }

    /// How lists name a hub: by its name, prefixed with its namespace when it is not the home
    /// one (two namespaces may each have a `sale`).
    pub fn hub_label(&self, hub: &Hub) -> String {
        if hub.namespace == self.home_namespace {
            hub.name.clone()
        } else {
            format!("{}/{}", hub.namespace, hub.name)
        }
    }

    /// The hubs of the namespace the backend reads now: where an event of one of its hubs can
    /// be dead-lettered (a send never crosses namespaces).
    pub fn hubs_here(&self) -> Vec<Hub> {
        self.hubs_in(&self.namespace)
    }

    pub fn hubs_in(&self, namespace: &str) -> Vec<Hub> {
        (self.hubs.iter())
            .filter(|h| h.namespace == namespace)
            .cloned()
            .collect()
    }

    /// When the hub chosen in the pane in front is in another namespace than the backend
    /// reads, the request that tells the backend to read that one, sent before anything the
    /// action asks (a tail, partitions, an action on the hub).
    pub(super) fn follow_namespace(&mut self, chosen: Option<String>) -> Option<Request> {
        let chosen = chosen.filter(|c| *c != self.namespace)?;
        self.namespace = chosen.clone();
        let request = self.issue();
        self.latest.use_namespace = Some(request);
        Some(Request::UseNamespace {
            request,
            namespace: chosen,
        })
    }

    /// `Enter` on a namespace: the overview, on the namespace's first hub.
    pub(crate) fn open_namespace(&mut self) -> Vec<Request> {
        let Some(ns) = self.namespaces.get(self.namespaces_list.selected) else {
            return Vec::new();
        };
        let name = ns.name.clone();
        self.stack = vec![View::OVERVIEW];
        crate::tui::views::select_first_hub_of(self, &name);
        Vec::new()
    }
}
