//! ehops's Kafka client signing in with SASL OAUTHBEARER, as it does on Azure with the Entra
//! sign-in (`--namespace`): here against an emulator, whose Kafka endpoint takes the token its
//! AMQP `$cbs` takes (a SharedAccessSignature token from the rule's SAS credential). The
//! framing and the token request are the same code either way; the Entra token itself is
//! only exercised against Azure (docs/kafka.md).

mod common;

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use ehops::connect::error::Failure;
use ehops::connect::kafka::{KafkaAdmin, KafkaEndpoint, KafkaSignIn};

const ROOT: &str = "RootManageSharedAccessKey";

fn endpoint(emu: &common::TestEmulator, credential: Arc<dyn TokenCredential>) -> KafkaEndpoint {
    KafkaEndpoint {
        address: emu.running.kafka.expect("kafka endpoint").to_string(),
        tls: false,
        sign_in: KafkaSignIn::entra(credential, "conformance.servicebus.windows.net"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_signs_in_with_oauthbearer_and_a_wrong_key_is_refused_with_the_reason() {
    let emu = common::start_with_kafka(common::CONFORMANCE).await;

    let mut admin = KafkaAdmin::connect(&endpoint(&emu, emu.credential(ROOT)))
        .await
        .expect("OAUTHBEARER sign-in with the rule's token");
    assert_eq!(
        admin.list_groups().await.expect("groups"),
        Vec::<String>::new()
    );

    let refused = KafkaAdmin::connect(&endpoint(&emu, emu.wrong_key_credential(ROOT))).await;
    let Err(error) = refused else {
        panic!("a token signed with a wrong key signed in");
    };
    assert_eq!(error.failure, Failure::Auth, "{error}");
    assert!(
        error.message.contains("OAUTHBEARER") && error.message.contains("Authentication failed"),
        "{error}"
    );
}
