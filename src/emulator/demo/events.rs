//! The demo's business events (seed "Demo": product, customer and conversions teams): which
//! hub each goes to, who publishes it, its CloudEvents type and schema, how often it happens,
//! and how to make a believable one (`records.rs`).

use super::avro::Value;
use super::random::Rng;
use super::records::*;
use super::schemas::{self, Schema};

/// One kind of business event.
pub struct EventKind {
    pub hub: &'static str,
    pub team: &'static str,
    /// The CloudEvents `source`: the producing deployment.
    pub source: &'static str,
    /// The CloudEvents `type`: `com.example.{team}.{aggregate}.{what happened}`.
    pub ce_type: &'static str,
    pub schema: &'static Schema,
    /// Relative frequency among all kinds.
    pub weight: u32,
    make: fn(&mut Rng, i64) -> (String, Vec<Value>),
}

/// A made-up event: its aggregate id (the CloudEvents subject and the partition key) and its
/// record's field values in schema order.
pub struct Generated {
    pub kind: &'static EventKind,
    pub subject: String,
    pub fields: Vec<Value>,
}

impl EventKind {
    pub fn generate(&'static self, rng: &mut Rng, now_ms: i64) -> Generated {
        let (subject, fields) = (self.make)(rng, now_ms);
        Generated {
            kind: self,
            subject,
            fields,
        }
    }
}

macro_rules! kind {
    ($hub:literal, $team:literal, $source:literal, $type:literal, $schema:expr, $weight:literal, $make:expr) => {
        EventKind {
            hub: $hub,
            team: $team,
            source: $source,
            ce_type: $type,
            schema: &$schema,
            weight: $weight,
            make: $make,
        }
    };
}

pub static KINDS: [EventKind; 13] = [
    kind!(
        "product",
        "product",
        "/teams/product/catalog",
        "com.example.product.product.updated",
        schemas::PRODUCT_UPDATED,
        2,
        product_updated
    ),
    kind!(
        "account",
        "customer",
        "/teams/customer/accounts",
        "com.example.customer.account.activated",
        schemas::ACCOUNT_ACTIVATED,
        3,
        account_activated
    ),
    kind!(
        "account",
        "customer",
        "/teams/customer/accounts",
        "com.example.customer.account.deactivated",
        schemas::ACCOUNT_DEACTIVATED,
        1,
        account_deactivated
    ),
    kind!(
        "contact",
        "customer",
        "/teams/customer/crm",
        "com.example.customer.contact.activated",
        schemas::CONTACT_ACTIVATED,
        4,
        contact_activated
    ),
    kind!(
        "contact",
        "customer",
        "/teams/customer/crm",
        "com.example.customer.contact.deactivated",
        schemas::CONTACT_DEACTIVATED,
        1,
        contact_deactivated
    ),
    kind!(
        "contact",
        "customer",
        "/teams/customer/crm",
        "com.example.customer.contact.abandoned_quote",
        schemas::CONTACT_ABANDONED_QUOTE,
        3,
        contact_abandoned_quote
    ),
    // Both versions in flight, as while producers upgrade one deployment at a time.
    kind!(
        "contact",
        "customer",
        "/teams/customer/crm",
        "com.example.customer.contact.purchased",
        schemas::CONTACT_PURCHASED,
        2,
        contact_purchased_v1
    ),
    kind!(
        "contact",
        "customer",
        "/teams/customer/checkout",
        "com.example.customer.contact.purchased",
        schemas::CONTACT_PURCHASED_V2,
        2,
        contact_purchased_v2
    ),
    kind!(
        "contact",
        "customer",
        "/teams/customer/crm",
        "com.example.customer.contact.product_expired",
        schemas::CONTACT_PRODUCT_EXPIRED,
        1,
        contact_product_expired
    ),
    kind!(
        "lead",
        "conversions",
        "/teams/conversions/leads",
        "com.example.conversions.lead.generated",
        schemas::LEAD_GENERATED,
        5,
        lead_generated
    ),
    kind!(
        "lead",
        "conversions",
        "/teams/conversions/leads",
        "com.example.conversions.lead.failed",
        schemas::LEAD_FAILED,
        2,
        lead_failed
    ),
    kind!(
        "sale",
        "conversions",
        "/teams/conversions/sales-files",
        "com.example.conversions.sale.file_received",
        schemas::SALES_FILE_RECEIVED,
        1,
        sales_file_received
    ),
    kind!(
        "sale",
        "conversions",
        "/teams/conversions/sales",
        "com.example.conversions.sale.confirmed",
        schemas::SALE_CONFIRMED,
        4,
        sale_confirmed
    ),
];

/// The kind the demo's poison event pretends to be.
pub fn sale_confirmed_kind() -> Option<&'static EventKind> {
    KINDS
        .iter()
        .find(|k| std::ptr::eq(k.schema, &schemas::SALE_CONFIRMED))
}

/// The hubs the demo publishes to.
pub fn business_hubs() -> Vec<&'static str> {
    let mut hubs: Vec<&str> = KINDS.iter().map(|k| k.hub).collect();
    hubs.dedup();
    hubs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::avro::AvroJson;
    use crate::emulator::demo::avro;

    /// Every schema in `schemas/` has a kind (next test), so this writes records of each with
    /// apache-avro and reads them back with the console's codec: the same values, field by
    /// field (as JSON: unions as their branch, bytes as hex), and not a byte left over.
    #[test]
    fn records_written_with_apache_avro_decode_identically_with_the_codec() {
        let mut rng = Rng::seeded(7);
        for kind in &KINDS {
            let reader = crate::codec::avro::Schema::parse(kind.schema.text).expect("parses");
            for _ in 0..50 {
                let event = kind.generate(&mut rng, 1_700_000_000_000);
                let bytes = avro::encode_record(kind.schema, &event.fields).expect("encodes");
                let decoded = kind.schema.decode(&bytes).expect("the codec decodes it");
                let written: serde_json::Map<String, serde_json::Value> = kind
                    .schema
                    .field_names()
                    .into_iter()
                    .zip(event.fields.iter().map(avro::to_json))
                    .collect();
                assert_eq!(
                    AvroJson::root(&reader, &decoded).to_json(),
                    serde_json::Value::Object(written),
                    "{} does not match {}",
                    kind.ce_type,
                    kind.schema.file
                );
                assert!(!event.subject.is_empty());
            }
        }
    }

    #[test]
    fn a_record_that_breaks_its_schema_is_refused_before_it_is_written() {
        let kind = sale_confirmed_kind().expect("sale.confirmed");
        let mut fields = kind.generate(&mut Rng::seeded(1), 0).fields;
        fields[0] = Value::Long(7);
        assert!(avro::encode_record(kind.schema, &fields).is_err());
        fields.pop();
        assert!(avro::encode_record(kind.schema, &fields).is_err());
    }

    #[test]
    fn every_schema_has_a_kind_and_the_business_hubs_are_the_demo_hubs() {
        for schema in schemas::ALL {
            assert!(
                KINDS.iter().any(|k| std::ptr::eq(k.schema, schema)),
                "{}",
                schema.file
            );
        }
        assert_eq!(
            business_hubs(),
            ["product", "account", "contact", "lead", "sale"]
        );
    }
}
