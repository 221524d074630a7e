//! The demo's incident taken through the console's action menu: dead-letter crm-sync's
//! poison event on `sale` partition 1, from whichever pane has the group selected.

use super::tmux::Terminal;

/// Opens the action menu on `sale`, picks dead-letter (the sixth item) and waits for its dry
/// run; returns the screen and the poison event's sequence number it names.
pub async fn dead_letter_dry_run(terminal: &Terminal) -> (String, i64) {
    terminal.keys(&["a"]);
    terminal
        .wait_for(&["actions › sale", "dead_letter           enabled"])
        .await;
    terminal.keys(&["j", "j", "j", "j", "j", "Enter"]);
    let dry_run = terminal
        .wait_for(&[
            "DRY RUN: nothing copied or moved yet",
            "dead-letter hub  deadletter-customer",
            "why poison       Avro data does not match",
            "[ Dead-letter ]",
        ])
        .await;
    let sequence = dry_run
        .split("sale partition 1 sequence ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the dry run names the event:\n{dry_run}"));
    (dry_run, sequence)
}

/// Confirms the dry run on screen and waits until the result says the group moved past
/// `sequence`; closes the result.
pub async fn confirm_dead_letter(terminal: &Terminal, sequence: i64) {
    terminal.keys(&["y"]);
    terminal
        .wait_for(&[
            "of the dead-letter hub",
            &format!("the group's next event is now {}", sequence + 1),
        ])
        .await;
    terminal.keys(&["Enter"]);
    terminal.wait_gone("the group's next event is now").await;
}
