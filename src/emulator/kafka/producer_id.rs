//! InitProducerId for idempotent producers (the default of the Java client since 3.0 and of
//! kafka-python 3): each gets a fresh id. Transactions are not offered. The emulator does not
//! deduplicate retried batches by sequence number; a retry after a lost acknowledgement can
//! store a batch twice, which AMQP's at-least-once delivery allows as well.

use std::sync::atomic::{AtomicI64, Ordering};

use kafka_protocol::ResponseError;
use kafka_protocol::messages::{InitProducerIdRequest, InitProducerIdResponse, ProducerId};

use super::session::Session;

static NEXT_ID: AtomicI64 = AtomicI64::new(1);

pub fn handle(session: &Session, request: &InitProducerIdRequest) -> InitProducerIdResponse {
    let mut response = InitProducerIdResponse::default();
    response.producer_id = ProducerId(-1);
    response.producer_epoch = -1;
    response.ongoing_txn_producer_id = ProducerId(-1);
    response.ongoing_txn_producer_epoch = -1;
    if request.transactional_id.is_some() {
        response.error_code = ResponseError::TransactionalIdAuthorizationFailed.code();
    } else if !(session.grant.rights.can_send()) {
        response.error_code = ResponseError::ClusterAuthorizationFailed.code();
    } else {
        response.producer_id = ProducerId(NEXT_ID.fetch_add(1, Ordering::Relaxed));
        response.producer_epoch = 0;
    }
    response
}
