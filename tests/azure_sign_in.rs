//! Signing in to Azure (`--namespace`), where no Azure account is at hand: the command must
//! fail fast with exit code 3, name every credential source it tried and what to run, and
//! never print a secret it was given.

use std::process::Command;

fn ehops_without_sign_in(args: &[&str], extra_env: &[(&str, &str)]) -> (i32, String) {
    let data = tempfile::tempdir().expect("temp dir");
    let empty_path = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ehops"));
    command
        .args(args)
        .arg("--data")
        .arg(data.path())
        // No az or azd on PATH, no service principal, no managed identity announced: the
        // state of a fresh laptop.
        .env("PATH", empty_path.path())
        .env("HOME", data.path());
    for name in [
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
        "AZURE_SUBSCRIPTION_ID",
        "EHOPS_NAMESPACE",
        "EHOPS_CONNECTION_STRING",
    ] {
        command.env_remove(name);
    }
    command.envs(extra_env.iter().copied());
    let output = command.output().expect("ehops runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn without_any_sign_in_the_error_lists_each_source_and_the_fix() {
    let (code, stderr) = ehops_without_sign_in(
        &[
            "hubs",
            "--namespace",
            "contoso",
            "--subscription",
            "00000000-0000-0000-0000-000000000000",
        ],
        &[],
    );
    assert_eq!(code, 3, "{stderr}");
    for expected in ["Azure CLI", "Azure Developer CLI", "az login", "--tenant"] {
        assert!(stderr.contains(expected), "missing {expected:?}: {stderr}");
    }
}

#[test]
fn a_bad_namespace_or_tenant_is_a_usage_error() {
    let (code, stderr) = ehops_without_sign_in(&["hubs", "--namespace", "contoso/x"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad namespace"), "{stderr}");

    let (code, stderr) = ehops_without_sign_in(&["hubs", "--tenant", "t"], &[]);
    assert_eq!(code, 2, "--tenant needs --namespace: {stderr}");
}

/// Signed in to an Azure namespace, the console is not on the demo: no demo team is claimed
/// for the identity and no demo owner cards are shown (the team is not known yet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_signed_in_to_azure_claims_no_demo_team() {
    let data = tempfile::tempdir().expect("temp dir");
    let args = ehops::commands::target::TargetArgs {
        namespace: Some("contoso".to_owned()),
        data: Some(data.path().to_path_buf()),
        ..Default::default()
    };
    let launched = ehops::commands::console::launch(&args, "ehops")
        .await
        .expect("the console starts before anything is asked of Azure");
    assert_eq!(launched.app.identity.team, None);
    for demo_team in ["customer", "product", "conversions", "platform"] {
        assert!(
            launched.app.teams.get(demo_team).is_none(),
            "the demo's {demo_team} card is not shown for an Azure namespace"
        );
    }
    assert_eq!(launched.target.team, None);
}
