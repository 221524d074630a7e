//! What the event a stuck consumer group cannot get past turned out to be, read by ehops
//! itself: whether it decodes, and which rules of the mandate it breaks. The overview says
//! it beside the stuck partition, so the on-call engineer knows whether dead-lettering it is
//! the fix (a poison event) or the consumer fails on good data (look at the consumer).

/// The verdict on a stuck partition's next unprocessed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextEventVerdict {
    pub sequence: i64,
    pub outcome: NextEventOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextEventOutcome {
    /// The event could not be read (gone to retention, no permission, service down).
    Unreadable(String),
    /// Read and judged.
    Judged {
        /// Its CloudEvents `type`, when it is one.
        event_type: Option<String>,
        /// Why its data does not decode, when it does not.
        decode_error: Option<String>,
        /// The mandate's rules it breaks: `(rule, reason)`.
        broken_rules: Vec<(String, String)>,
    },
}

impl NextEventVerdict {
    /// Whether ehops itself finds the event at fault: then dead-lettering it is the fix.
    pub fn is_poison(&self) -> bool {
        matches!(
            &self.outcome,
            NextEventOutcome::Judged { decode_error, broken_rules, .. }
                if decode_error.is_some() || !broken_rules.is_empty()
        )
    }

    /// One sentence for the overview and the headless output.
    pub fn sentence(&self) -> String {
        let seq = self.sequence;
        match &self.outcome {
            NextEventOutcome::Unreadable(why) => {
                format!("the next event (seq {seq}) could not be read: {why}")
            }
            NextEventOutcome::Judged {
                event_type,
                decode_error,
                broken_rules,
            } => {
                let what = event_type
                    .as_deref()
                    .map_or(format!("seq {seq}"), |t| format!("seq {seq}, {t}"));
                let mut faults = Vec::new();
                if let Some(error) = decode_error {
                    faults.push(format!("does not decode ({error})"));
                }
                let rules: Vec<&str> = broken_rules
                    .iter()
                    .map(|(rule, _)| rule.as_str())
                    .filter(|rule| decode_error.is_none() || *rule != "schema_registered")
                    .collect();
                if !rules.is_empty() {
                    faults.push(format!("breaks the mandate ({})", rules.join(", ")));
                }
                if faults.is_empty() {
                    format!(
                        "the next event ({what}) decodes and keeps the mandate: the consumer \
                         fails on good data, look at its logs before moving past it"
                    )
                } else {
                    format!("the next event ({what}) {}", faults.join(" and "))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(decode_error: Option<&str>, rules: &[&str]) -> NextEventVerdict {
        NextEventVerdict {
            sequence: 812,
            outcome: NextEventOutcome::Judged {
                event_type: Some("com.example.sale.confirmed".into()),
                decode_error: decode_error.map(str::to_owned),
                broken_rules: rules
                    .iter()
                    .map(|r| ((*r).to_owned(), "why".to_owned()))
                    .collect(),
            },
        }
    }

    #[test]
    fn a_body_that_does_not_decode_is_poison_and_says_why() {
        let v = judged(Some("Avro record cut short"), &["schema_registered"]);
        assert!(v.is_poison());
        assert_eq!(
            v.sentence(),
            "the next event (seq 812, com.example.sale.confirmed) does not decode \
             (Avro record cut short)"
        );
    }

    #[test]
    fn good_data_points_at_the_consumer() {
        let v = judged(None, &[]);
        assert!(!v.is_poison());
        assert!(v.sentence().contains("the consumer fails on good data"));
        let rules = judged(None, &["cloudevent", "content_type"]);
        assert!(
            rules
                .sentence()
                .ends_with("breaks the mandate (cloudevent, content_type)")
        );
    }
}
