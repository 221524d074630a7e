//! Binary-mode CloudEvents of the traced hubs' shape, sent one per batch with the options a
//! test chooses (a partition key, a partition id).

use azure_messaging_eventhubs::EventDataBatchOptions;
use azure_messaging_eventhubs::models::EventData;

use super::sdk_producer::SdkProducer;

/// Event `i` of `hub` about `subject`: id `ev-{i:02}`, type `com.example.{hub}.changed`,
/// JSON body `{"n": i}`.
pub fn changed(hub: &str, i: usize, subject: String) -> EventData {
    EventData::builder()
        .with_body(format!("{{\"n\":{i}}}"))
        .with_content_type("application/json".into())
        .add_property("cloudEvents_specversion".into(), "1.0")
        .add_property("cloudEvents_id".into(), format!("ev-{i:02}"))
        .add_property(
            "cloudEvents_type".into(),
            format!("com.example.{hub}.changed"),
        )
        .add_property("cloudEvents_source".into(), format!("/teams/x/{hub}"))
        .add_property("cloudEvents_subject".into(), subject)
        .build()
}

/// Sends `data` alone in a batch made with `options`, and waits for the acknowledgement.
pub async fn send_one(producer: &SdkProducer, options: EventDataBatchOptions, data: EventData) {
    producer
        .call(|producer| async move {
            let batch = producer.create_batch(Some(options)).await.expect("batch");
            assert!(batch.try_add_event_data(data, None).expect("adds"));
            producer
                .send_batch(batch, None)
                .await
                .expect("acknowledged");
        })
        .await;
}
