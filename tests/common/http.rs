//! Plain HTTP to an emulator's REST side (catalog, Schema Registry), through azure_core's
//! client as the console uses it, for tests that check status codes and headers themselves.

use std::collections::HashMap;

use azure_core::http::{Method, Request, Url, new_http_client};

pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Answer {
    /// A header by its lowercase name, or "" without one.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// `method` on `http://{address}{path_and_query}` with these headers and body.
pub async fn call(
    address: std::net::SocketAddr,
    method: Method,
    path_and_query: &str,
    headers: &[(&'static str, &str)],
    body: Option<String>,
) -> Answer {
    try_call(address, method, path_and_query, headers, body)
        .await
        .expect("the emulator answers")
}

/// [`call`], or the error when the exchange failed: a server that refuses a large body
/// before reading it may close the connection while the client is still writing it.
pub async fn try_call(
    address: std::net::SocketAddr,
    method: Method,
    path_and_query: &str,
    headers: &[(&'static str, &str)],
    body: Option<String>,
) -> azure_core::Result<Answer> {
    let url = Url::parse(&format!("http://{address}{path_and_query}")).expect("url");
    let mut request = Request::new(url, method);
    for (name, value) in headers {
        request.insert_header(*name, (*value).to_owned());
    }
    if let Some(body) = body {
        request.set_body(body);
    }
    let response = new_http_client(None).execute_request(&request).await?;
    let (status, headers, body) = response.deconstruct();
    let bytes = body.collect().await?;
    Ok(Answer {
        status: u16::from(status),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_str().to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// A shared-access token for `rule` with `key`, valid for an hour.
pub fn token(resource: &str, rule: &str, key: &str) -> String {
    let expiry = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    ehops::connect::sas_credential::sign_token(resource, rule, key, expiry)
}
