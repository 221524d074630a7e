use super::*;

const T0: i64 = 1_714_564_800;

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(T0 + secs).expect("valid test timestamp")
}

fn policy() -> LagPolicy {
    LagPolicy {
        retention: Duration::from_secs(86_400),
        stuck_after: Duration::from_secs(300),
    }
}

/// Partition 0 at `now`: `last` enqueued, checkpoint `(sequence, written at)`, the first
/// unprocessed event enqueued `waited` seconds before `now`, owned (renewed 5 s ago).
fn sample(now: i64, last: i64, checkpoint: Option<(i64, i64)>, waited: i64) -> PartitionLagSample {
    PartitionLagSample {
        partition: "0".into(),
        begin_sequence: 0,
        last_enqueued_sequence: last,
        last_enqueued_time: Some(at(now)),
        next_unprocessed_time: Some(at(now - waited)),
        checkpoint: checkpoint.map(|(sequence, updated)| Checkpoint {
            sequence,
            offset: format!("{}", sequence * 100),
            updated_at: at(updated),
        }),
        ownership: Some(Ownership {
            owner_id: "crm-sync-1".into(),
            renewed_at: at(now - 5),
        }),
    }
}

fn snapshot(now: i64, parts: Vec<PartitionLagSample>) -> LagSnapshot {
    LagSnapshot {
        hub: "sale".into(),
        consumer_group: "crm-sync".into(),
        sampled_at: at(now),
        partitions: parts,
    }
}

/// Computes each sample in turn with the history of the ones before; returns the last.
fn series(samples: Vec<(i64, PartitionLagSample)>, policy: LagPolicy) -> ConsumerGroupLag {
    let mut history = GroupHistory::default();
    let mut last = None;
    for (now, s) in samples {
        let lag =
            ConsumerGroupLag::compute_with_history(&snapshot(now, vec![s]), Some(&history), policy);
        history.record(&lag);
        last = Some(lag);
    }
    last.expect("at least one sample")
}

#[test]
fn computes_behind_and_ages() {
    let lag = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -5)), 90)]),
        None,
        policy(),
    );
    let p = &lag.partitions[0];
    assert_eq!(p.events_behind, 20);
    assert_eq!(p.time_behind, Some(Duration::from_secs(90)));
    assert_eq!(p.checkpoint_age, Some(Duration::from_secs(5)));
    assert_eq!(p.ownership_age, Some(Duration::from_secs(5)));
    assert_eq!(p.checkpoint_offset.as_deref(), Some("10000"));
    assert_eq!(p.forecast, Forecast::Unknown, "one sample has no rates");
    assert_eq!(p.status, LagStatus::Behind);
}

#[test]
fn time_behind_is_measured_against_now_not_the_newest_event() {
    // A stuck partition on a quiet hub: the newest event is old too, yet the group is far
    // behind in time.
    let mut s = sample(0, 120, Some((100, -600)), 900);
    s.last_enqueued_time = Some(at(-890));
    let lag = ConsumerGroupLag::compute(&snapshot(0, vec![s]), None, policy());
    assert_eq!(
        lag.partitions[0].time_behind,
        Some(Duration::from_secs(900))
    );
}

#[test]
fn a_little_behind_is_ok() {
    let lag = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((110, -3)), 4)]),
        None,
        policy(),
    );
    assert_eq!(lag.partitions[0].status, LagStatus::Ok);
}

#[test]
fn no_checkpoint_while_events_wait_is_its_own_status() {
    let mut s = sample(0, 699, None, 600);
    s.ownership = None;
    let lag = ConsumerGroupLag::compute(&snapshot(0, vec![s]), None, policy());
    assert_eq!(lag.partitions[0].events_behind, 700);
    assert_eq!(lag.partitions[0].status, LagStatus::NoCheckpoints);
}

#[test]
fn caught_up_is_ok_with_zero_time_behind() {
    let lag = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 100, Some((100, -9_999)), 0)]),
        None,
        policy(),
    );
    assert_eq!(lag.partitions[0].events_behind, 0);
    assert_eq!(lag.partitions[0].time_behind, Some(Duration::ZERO));
    assert_eq!(lag.partitions[0].forecast, Forecast::CaughtUp);
    assert_eq!(lag.partitions[0].status, LagStatus::Ok);
}

#[test]
fn growing_lag_with_still_checkpoint_is_stuck_and_forecasts_the_loss() {
    let lag = series(
        vec![
            (0, sample(0, 120, Some((100, -30)), 60)),
            (10, sample(10, 150, Some((100, -30)), 70)),
        ],
        policy(),
    );
    let p = &lag.partitions[0];
    assert_eq!(p.status, LagStatus::Stuck);
    assert_eq!(lag.worst_status(), LagStatus::Stuck);
    assert_eq!(p.drain_per_sec, Some(0.0));
    assert_eq!(p.ingress_per_sec, Some(3.0));
    // Nothing processed: the oldest unread event ages in real time until retention.
    assert_eq!(
        p.forecast,
        Forecast::LosesIn(Duration::from_secs(86_400 - 70))
    );
    assert_eq!(
        p.forecast.sentence(),
        "loses unread events to retention in 23h58m"
    );
}

#[test]
fn consumers_outpacing_arrivals_are_draining_with_an_eta() {
    let lag = series(
        vec![
            (0, sample(0, 1_000, Some((400, -1)), 120)),
            (60, sample(60, 1_060, Some((580, 59)), 100)),
        ],
        policy(),
    );
    let p = &lag.partitions[0];
    assert_eq!(p.status, LagStatus::Draining);
    // 480 behind, net 2 events/s.
    assert_eq!(p.forecast, Forecast::DrainsIn(Duration::from_secs(240)));
    assert_eq!(p.forecast.sentence(), "drains in ~4m00s");
}

#[test]
fn falling_behind_slowly_is_behind_with_a_distant_loss() {
    let lag = series(
        vec![
            (0, sample(0, 1_000, Some((400, -1)), 120)),
            (100, sample(100, 1_200, Some((500, 99)), 170)),
        ],
        policy(),
    );
    let p = &lag.partitions[0];
    assert_eq!(p.status, LagStatus::Behind);
    // Backlog grows at half the ingress rate: the oldest unread event ages half as fast.
    assert_eq!(
        p.forecast,
        Forecast::LosesIn(Duration::from_secs((86_400 - 170) * 2))
    );
}

#[test]
fn a_loss_within_the_hour_is_losing() {
    let short = LagPolicy {
        retention: Duration::from_secs(600),
        ..policy()
    };
    let lag = series(
        vec![
            (0, sample(0, 120, Some((100, -30)), 60)),
            (10, sample(10, 150, Some((100, -30)), 70)),
        ],
        short,
    );
    assert_eq!(lag.partitions[0].status, LagStatus::Losing);
    assert_eq!(
        lag.partitions[0].forecast,
        Forecast::LosesIn(Duration::from_secs(530))
    );
}

#[test]
fn waiting_longer_than_retention_is_already_losing() {
    let short = LagPolicy {
        retention: Duration::from_secs(60),
        stuck_after: Duration::from_secs(300),
    };
    let lag = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -10)), 61)]),
        None,
        short,
    );
    assert_eq!(lag.partitions[0].forecast, Forecast::AlreadyLosing);
    assert_eq!(lag.partitions[0].status, LagStatus::Losing);
}

#[test]
fn no_live_owner_while_events_wait_is_inactive() {
    let mut s = sample(0, 120, Some((100, -60)), 90);
    s.ownership = Some(Ownership {
        owner_id: "crm-sync-1".into(),
        renewed_at: at(-121),
    });
    let lag = ConsumerGroupLag::compute(&snapshot(0, vec![s]), None, policy());
    assert_eq!(lag.partitions[0].status, LagStatus::Inactive);
}

#[test]
fn moving_checkpoint_is_not_stuck_even_if_lag_grows() {
    let lag = series(
        vec![
            (0, sample(0, 120, Some((100, -30)), 20)),
            (10, sample(10, 160, Some((110, 9)), 25)),
        ],
        policy(),
    );
    assert_eq!(lag.partitions[0].status, LagStatus::Ok);
}

#[test]
fn no_checkpoint_for_as_long_as_the_next_event_has_waited_is_stuck() {
    // A consumer at work checkpoints every few seconds; one that has not for 30 s while the
    // next event has waited 30 s is stuck on it, with no history needed.
    let quiet = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -31)), 31)]),
        None,
        policy(),
    );
    assert_eq!(quiet.partitions[0].status, LagStatus::Stuck);
    assert!(matches!(quiet.partitions[0].forecast, Forecast::LosesIn(_)));
    let busy = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -3)), 300)]),
        None,
        policy(),
    );
    assert_eq!(busy.partitions[0].status, LagStatus::Behind);
}

#[test]
fn old_checkpoint_without_history_is_stuck() {
    let lag = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -600)), 600)]),
        None,
        policy(),
    );
    assert_eq!(lag.partitions[0].status, LagStatus::Stuck);
}

#[test]
fn checkpoint_older_than_retention_or_purged_is_lost() {
    let old = ConsumerGroupLag::compute(
        &snapshot(0, vec![sample(0, 120, Some((100, -90_000)), 50)]),
        None,
        policy(),
    );
    assert_eq!(old.partitions[0].status, LagStatus::Lost);
    let mut purged = sample(0, 120, Some((100, -10)), 50);
    purged.begin_sequence = 105;
    let lag = ConsumerGroupLag::compute(&snapshot(0, vec![purged]), None, policy());
    assert_eq!(lag.partitions[0].status, LagStatus::Lost);
    assert_eq!(lag.partitions[0].forecast, Forecast::AlreadyLosing);
    assert_eq!(lag.total_behind(), 20);
}

#[test]
fn statuses_are_ordered_from_fine_to_alarming() {
    let mut sorted = LagStatus::ALL;
    sorted.sort();
    assert_eq!(sorted, LagStatus::ALL);
    assert!(!LagStatus::Draining.needs_attention());
    assert!(LagStatus::NoCheckpoints.needs_attention());
}

#[test]
fn a_checkpoint_not_moved_since_a_sample_long_ago_is_a_consumer_starting_not_stuck() {
    // The last sample was taken ten minutes ago, before the service (or the console)
    // restarted; the consumers are back and have not checkpointed yet.
    let earlier = sample(-600, 110, Some((100, -620)), 5);
    let now = sample(0, 140, Some((100, -20)), 25);
    let lag = series(vec![(-600, earlier.clone()), (0, now.clone())], policy());
    assert_eq!(lag.partitions[0].status, LagStatus::Ok);
    // The same two samples ten seconds apart are a consumer that stopped.
    let recent = series(
        vec![(-10, sample(-10, 110, Some((100, -20)), 5)), (0, now)],
        policy(),
    );
    assert_eq!(recent.partitions[0].status, LagStatus::Stuck);
}
