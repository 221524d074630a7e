//! Waiting for the console backend's answers in tests that drive it over its channels.

use std::time::Duration;

use ehops::protocol::{BackendLink, Reply};

pub async fn next_reply(link: &mut BackendLink) -> Reply {
    tokio::time::timeout(Duration::from_secs(20), link.replies.recv())
        .await
        .expect("a reply in time")
        .expect("backend running")
}

/// The next reply that is not a connection-state change, within a minute: connection
/// changes alone must not keep a test waiting for an answer that never comes.
pub async fn next_answer(link: &mut BackendLink) -> Reply {
    let answer = async {
        loop {
            match next_reply(link).await {
                Reply::ConnectionChanged(_) => {}
                other => return other,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), answer)
        .await
        .expect("an answer within a minute")
}
