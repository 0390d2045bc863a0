// Snapshots through openraft's snapshot policy (LogsSinceLast at the scenario's threshold), three
// nodes in one process: a snapshot taken and the log purged, a laggard brought up to date by
// InstallSnapshot, and a restart from the snapshot record.

mod common;

use common::{propose, Cluster};
use serde_json::{json, Value};

const OPTIONS: &str = r#"{"electionTicksMin":15,"electionTicksMax":30,"heartbeatTicks":3,"entriesPerMessageMax":64,"tickMs":10,"snapshotEntriesThreshold":4}"#;

fn outputs_with<'a>(cluster: &'a Cluster, id: u64, field: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    cluster.outputs[(id - 1) as usize]
        .iter()
        .filter_map(move |output| output.get(field))
}

/// A cluster with a leader that applied `count` commands, k1..k{count}.
fn with_commands(seed: i64, count: i64) -> (Cluster, u64) {
    let mut cluster = Cluster::with(seed, OPTIONS, 3);
    let leader = cluster.elect();
    for id in 1..=count {
        cluster.input(leader, &propose(id, &format!("k{}", id), "v"));
        cluster.round();
    }
    cluster.rounds(10);
    (cluster, leader)
}

#[test]
fn every_node_takes_a_snapshot_once_the_threshold_is_applied_and_purges_the_log_it_holds() {
    let (cluster, _) = with_commands(7, 6);
    for id in 1..=3 {
        let taken = outputs_with(&cluster, id, "snapshotTaken")
            .next()
            .unwrap_or_else(|| panic!("node {} took no snapshot", id));
        let index = taken["index"].as_u64().unwrap();
        // openraft counts index 0 (the initial configuration) among the entries since no snapshot.
        assert!(index >= 3, "node {}: {}", id, taken);
        assert_eq!(
            taken["configuration"],
            json!({"voters": [1, 2, 3], "learners": [], "votersOutgoing": []})
        );
        assert_eq!(taken["data"]["k1"], "v");
        let state = cluster.state(id);
        assert!(state["snapshotIndex"].as_u64().unwrap() >= index);
        let records = &cluster.records[(id - 1) as usize];
        assert!(records.iter().any(|record| record.get("snapshot").is_some()));
        assert!(records.iter().any(|record| record.get("purge").is_some()));
    }
}

#[test]
fn a_laggard_behind_the_purged_log_catches_up_by_install_snapshot() {
    let mut cluster = Cluster::with(7, OPTIONS, 3);
    let leader = cluster.elect();
    let laggard = (1..=3).find(|id| *id != leader).unwrap();
    cluster.stop(laggard);
    for id in 1..=9 {
        cluster.input(leader, &propose(id, &format!("k{}", id), "v"));
        cluster.round();
    }
    cluster.rounds(10);
    cluster.outputs[(laggard - 1) as usize].clear();
    cluster.restart(laggard);
    cluster.rounds(30);
    let installed = outputs_with(&cluster, laggard, "snapshotInstalled")
        .next()
        .expect("a snapshot installed");
    assert!(installed["index"].as_u64().unwrap() >= 4, "{}", installed);
    assert_eq!(installed["data"]["k4"], "v");
    let state = cluster.state(laggard);
    assert_eq!(state["appliedIndex"], cluster.state(leader)["appliedIndex"]);
    let sent = cluster
        .transcript
        .iter()
        .filter(|line| line.contains(r#""type":"InstallSnapshot""#))
        .count();
    assert!(sent > 0, "the leader sent a snapshot");
}

#[test]
fn a_restart_restores_the_snapshot_and_applies_only_the_entries_after_it() {
    let (mut cluster, leader) = with_commands(7, 6);
    let follower = (1..=3).find(|id| *id != leader).unwrap();
    cluster.outputs[(follower - 1) as usize].clear();
    let start = cluster.restart(follower);
    let installed = &start["snapshotInstalled"];
    let index = installed["index"].as_u64().expect("the snapshot restored at start");
    assert_eq!(start["state"]["snapshotIndex"], json!(index));
    assert_eq!(start["state"]["log"]["from"], json!(index + 1));
    let applied = start["applied"].as_array().unwrap();
    assert!(
        applied.iter().all(|entry| entry["index"].as_u64().unwrap() > index),
        "{:?}",
        applied
    );
    assert_eq!(start["state"]["appliedIndex"], cluster.state(leader)["appliedIndex"]);
}
