/// An Event Hubs namespace: the container of hubs and the endpoint clients connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The resource name, e.g. `contoso-events`.
    pub name: String,
    /// The fully qualified host, e.g. `contoso-events.servicebus.windows.net`.
    pub host: String,
}
