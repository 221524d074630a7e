//! A producer of Microsoft's SDK whose every call runs on the sending thread
//! ([`super::sdk_thread`]), so that no send can wait forever for an outcome it missed.

use std::sync::Arc;

use azure_core_amqp::AmqpMessage;
use azure_messaging_eventhubs::{EventHubsError, ProducerClient, SendMessageOptions};

use super::sdk_thread;

pub struct Producer {
    client: Arc<ProducerClient>,
}

impl Producer {
    /// Opens `hub` with `builder` on the sending thread, where the client's connection and
    /// session tasks then live.
    pub(super) async fn open(
        builder: azure_messaging_eventhubs::builders::ProducerClientBuilder,
        namespace: String,
        hub: String,
        credential: Arc<dyn azure_core::credentials::TokenCredential>,
    ) -> Result<Self, EventHubsError> {
        let client =
            sdk_thread::run(async move { builder.open(&namespace, &hub, credential).await })
                .await?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    /// Sends one message and waits until the service has accepted (or refused) it.
    pub async fn send_message(
        &self,
        message: AmqpMessage,
        options: Option<SendMessageOptions>,
    ) -> Result<(), EventHubsError> {
        let client = Arc::clone(&self.client);
        sdk_thread::run(async move { client.send_message(message, options).await }).await
    }

    /// Closes the link and the connection.
    pub async fn close(self) -> Result<(), EventHubsError> {
        match Arc::try_unwrap(self.client) {
            Ok(client) => sdk_thread::run(async move { client.close().await }).await,
            // A send still holds it (only after a cancelled send): dropping closes it.
            Err(_) => Ok(()),
        }
    }
}
