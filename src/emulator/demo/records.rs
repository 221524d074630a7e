//! Believable field values for each business event, in schema order. Aggregate ids come from
//! fixed pools so keys repeat and per-key ordering shows; per-aggregate facts (a contact's
//! name, a product's category) derive from the id so they stay consistent across events.

use sha2::{Digest, Sha256};

use super::avro::{self, Value};
use super::random::Rng;

const PRODUCTS: u64 = 40;
const ACCOUNTS: u64 = 300;
const CONTACTS: u64 = 500;
const LEADS: u64 = 800;
const SALES: u64 = 600;
const SALES_FILES: u64 = 60;

const FIRST: [&str; 12] = [
    "Ada", "Ben", "Chloe", "Dev", "Erin", "Femi", "Grace", "Hugo", "Isla", "Jon", "Kemi", "Liam",
];
const LAST: [&str; 10] = [
    "Okafor", "Smith", "Nowak", "Patel", "Garcia", "Chen", "Murphy", "Khan", "Jones", "Silva",
];
const CATEGORIES: [&str; 4] = ["broadband", "mobile", "insurance", "energy"];
const CHANNELS: [&str; 3] = ["web", "phone", "partner"];
const CURRENCY: &str = "GBP";

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

fn ts(ms: i64) -> Value {
    Value::Long(ms)
}

fn optional(present: bool, value: impl FnOnce() -> Value) -> Value {
    avro::optional(present.then(value))
}

/// Money with two decimals in `[low, high)`.
fn amount(rng: &mut Rng, low: u64, high: u64) -> Value {
    let cents = low * 100 + rng.below((high - low) * 100);
    Value::Double(cents as f64 / 100.0)
}

fn product_id(rng: &mut Rng) -> (u64, String) {
    let n = rng.below(PRODUCTS);
    (n, format!("prod-{n:04}"))
}

fn contact_id(rng: &mut Rng) -> (u64, String) {
    let n = rng.below(CONTACTS);
    (n, format!("cont-{n:05}"))
}

fn person(n: u64) -> (String, String) {
    let first = FIRST[(n % FIRST.len() as u64) as usize];
    let last = LAST[(n / FIRST.len() as u64 % LAST.len() as u64) as usize];
    let email = format!(
        "{}.{}{n}@example.com",
        first.to_lowercase(),
        last.to_lowercase()
    );
    (format!("{first} {last}"), email)
}

pub fn product_updated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (n, id) = product_id(rng);
    let category = CATEGORIES[(n % 4) as usize];
    let base = 10 + n * 3;
    let fields = vec![
        s(id.clone()),
        s(format!("SKU-{}-{n:03}", category[..3].to_uppercase())),
        s(format!("{} plan {}", category, n / 4 + 1)),
        s(category),
        amount(rng, base, base + 5),
        s(CURRENCY),
        Value::Boolean(rng.chance(0.95)),
        ts(now),
        optional(rng.chance(0.7), || s(product_manager(n))),
    ];
    (id, fields)
}

/// The login of the product manager who looks after product `n`.
fn product_manager(n: u64) -> String {
    format!(
        "{}@example.com",
        FIRST[(n % FIRST.len() as u64) as usize].to_lowercase()
    )
}

pub fn account_activated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let n = rng.below(ACCOUNTS);
    let (_, email) = person(n);
    let referral = rng.chance(0.2);
    let code = format!("REF-{}", rng.hex(3).to_uppercase());
    let id = format!("acct-{n:05}");
    let fields = vec![
        s(id.clone()),
        s(email),
        s(*rng.pick(&["free", "standard", "standard", "premium"])),
        ts(now),
        optional(referral, || s(code)),
    ];
    (id, fields)
}

pub fn account_deactivated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let id = format!("acct-{:05}", rng.below(ACCOUNTS));
    let reason = *rng.pick(&[
        "customer_request",
        "customer_request",
        "payment_failed",
        "inactivity",
        "fraud_suspected",
    ]);
    (id.clone(), vec![s(id), s(reason), ts(now)])
}

pub fn contact_activated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (n, id) = contact_id(rng);
    let (name, email) = person(n);
    let fields = vec![
        s(id.clone()),
        s(format!("acct-{:05}", n % ACCOUNTS)),
        s(email),
        s(name),
        s(*rng.pick(&CHANNELS)),
        ts(now),
    ];
    (id, fields)
}

pub fn contact_deactivated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (n, id) = contact_id(rng);
    let reason = *rng.pick(&["opted_out", "bounced", "duplicate"]);
    (
        id.clone(),
        vec![
            s(id),
            s(format!("acct-{:05}", n % ACCOUNTS)),
            s(reason),
            ts(now),
        ],
    )
}

pub fn contact_abandoned_quote(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (_, id) = contact_id(rng);
    let (_, product) = product_id(rng);
    let fields = vec![
        s(id.clone()),
        s(format!("q-{}", rng.hex(4))),
        s(product),
        amount(rng, 10, 600),
        s(CURRENCY),
        s(*rng.pick(&["details", "pricing", "pricing", "payment"])),
        ts(now),
    ];
    (id, fields)
}

pub fn contact_purchased_v1(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (_, id) = contact_id(rng);
    let (_, product) = product_id(rng);
    let fields = vec![
        s(id.clone()),
        s(format!("ord-{}", rng.hex(4))),
        s(product),
        amount(rng, 10, 600),
        s(CURRENCY),
        ts(now),
    ];
    (id, fields)
}

pub fn contact_purchased_v2(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (id, mut fields) = contact_purchased_v1(rng, now);
    fields.push(s(*rng.pick(&["card", "card", "direct_debit", "paypal"])));
    let discount = rng.chance(0.15);
    let code = format!("SAVE{}", 5 * (1 + rng.below(4)));
    fields.push(optional(discount, || s(code)));
    (id, fields)
}

pub fn contact_product_expired(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let (_, id) = contact_id(rng);
    let (_, product) = product_id(rng);
    let fields = vec![
        s(id.clone()),
        s(format!("ctr-{}", rng.hex(4))),
        s(product),
        Value::Boolean(rng.chance(0.6)),
        ts(now),
    ];
    (id, fields)
}

pub fn lead_generated(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let id = format!("lead-{:06}", rng.below(LEADS));
    let known = rng.chance(0.6);
    let (_, contact) = contact_id(rng);
    let (_, product) = product_id(rng);
    let fields = vec![
        s(id.clone()),
        optional(known, || s(contact)),
        s(product),
        s(*rng.pick(&[
            "spring-broadband",
            "switch-and-save",
            "partner-referral",
            "search-ads",
        ])),
        Value::Int(rng.below(101) as i32),
        ts(now),
    ];
    (id, fields)
}

pub fn lead_failed(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let id = format!("lead-{:06}", rng.below(LEADS));
    let (_, product) = product_id(rng);
    let reason = *rng.pick(&[
        "no_response",
        "not_interested",
        "credit_check_failed",
        "duplicate",
    ]);
    (id.clone(), vec![s(id), s(product), s(reason), ts(now)])
}

pub fn sales_file_received(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let n = rng.below(SALES_FILES);
    let id = format!("sf-{n:05}");
    let partner = *rng.pick(&["comparethat", "moneyfinder", "retail-direct"]);
    let records = 10 + rng.below(5000);
    let digest = Sha256::digest(format!("{id}:{now}").as_bytes()).to_vec();
    let fields = vec![
        s(id.clone()),
        s(format!("{partner}-sales-{n:05}.csv")),
        s(partner),
        Value::Int(records as i32),
        Value::Long((records * 118) as i64),
        Value::Bytes(digest),
        ts(now),
    ];
    (id, fields)
}

pub fn sale_confirmed(rng: &mut Rng, now: i64) -> (String, Vec<Value>) {
    let id = format!("sale-{:06}", rng.below(SALES));
    sale_confirmed_for(rng, now, id)
}

/// A `SaleConfirmed` for the given sale id.
pub fn sale_confirmed_for(rng: &mut Rng, now: i64, id: String) -> (String, Vec<Value>) {
    let (_, contact) = contact_id(rng);
    let (_, product) = product_id(rng);
    let from_lead = rng.chance(0.5);
    let lead = format!("lead-{:06}", rng.below(LEADS));
    let fields = vec![
        s(id.clone()),
        s(contact),
        s(product),
        optional(from_lead, || s(lead)),
        amount(rng, 10, 900),
        s(CURRENCY),
        s(*rng.pick(&CHANNELS)),
        ts(now),
    ];
    (id, fields)
}
