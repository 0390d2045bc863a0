// Three raft-rs nodes in one process, driven through the same JSON lines the harness sends:
// elections, replication, ReadIndex reads, refusals naming the leader, restarts from durable
// records (every prefix of them), and byte-identical outputs for identical inputs.

mod common;

use common::{cluster_with_a_follower_behind_a_snapshot, commands_applied, propose, snapshots, Cluster, OPTIONS, SNAPSHOT_OPTIONS};
use raftcheck_raft_rs::{stderr_logger, Session, RAFT_VERSION};
use serde_json::{json, Value};

#[test]
fn elects_one_leader_whose_term_every_node_follows() {
    let mut cluster = Cluster::new(3, 11);
    let leader = cluster.elect();
    cluster.tick_all(3);
    let term = cluster.state(leader)["term"].clone();
    for id in 1..=3 {
        assert_eq!(cluster.state(id)["term"], term, "node {}", id);
        assert_eq!(cluster.state(id)["leaderHint"], json!(leader), "node {}", id);
    }
    assert_eq!((1..=3).filter(|&id| cluster.state(id)["role"] == "leader").count(), 1);
}

#[test]
fn replicates_and_applies_commands_in_the_same_order_on_every_node() {
    let mut cluster = Cluster::new(3, 12);
    let leader = cluster.elect();
    let accepted = cluster.input(leader, &propose(1, "set", "k", Some("a")));
    assert_eq!(accepted["answers"][0]["kind"], "accepted");
    cluster.input(leader, &propose(2, "append", "k", Some("b")));
    cluster.input(leader, &propose(3, "get", "k", None));
    cluster.deliver_all();
    cluster.tick_all(3);
    let on_leader = commands_applied(&cluster, leader);
    assert_eq!(
        on_leader.iter().map(|(_, id, result)| (*id, result.clone())).collect::<Vec<_>>(),
        vec![(1, Value::Null), (2, json!("a")), (3, json!("ab"))]
    );
    assert_eq!(on_leader[0].0, accepted["answers"][0]["index"].as_u64().unwrap());
    for id in 1..=3 {
        assert_eq!(commands_applied(&cluster, id), on_leader, "node {}", id);
        assert_eq!(cluster.state(id)["appliedIndex"], cluster.state(leader)["commitIndex"]);
    }
}

#[test]
fn serves_a_read_index_read_with_the_committed_value_and_refuses_reads_and_proposals_on_followers() {
    let mut cluster = Cluster::new(3, 13);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "set", "k", Some("v")));
    cluster.deliver_all();
    cluster.input(leader, &json!({"kind":"read","command":{"id":2,"op":"get","key":"k"}}).to_string());
    cluster.deliver_all();
    assert!(
        cluster.answers(leader).contains(&json!({"commandId":2,"kind":"read","value":"v"})),
        "{:?}",
        cluster.answers(leader)
    );
    let follower = (1..=3).find(|&id| id != leader).unwrap();
    let refused = cluster.input(follower, &propose(3, "set", "k", Some("w")));
    assert_eq!(refused["answers"], json!([{"commandId":3,"kind":"notLeader","leaderHint":leader}]));
    let refused = cluster.input(
        follower,
        &json!({"kind":"read","command":{"id":4,"op":"get","key":"k"}}).to_string(),
    );
    assert_eq!(refused["answers"], json!([{"commandId":4,"kind":"notLeader","leaderHint":leader}]));
}

#[test]
fn holds_a_read_until_a_new_leader_commits_an_entry_of_its_term() {
    let mut cluster = Cluster::new(3, 14);
    let leader = cluster.elect_without_delivering();
    // The new leader's empty entry is not committed yet: raft-rs would drop the read.
    let held = cluster.input(leader, &json!({"kind":"read","command":{"id":9,"op":"get","key":"k"}}).to_string());
    assert_eq!(held["answers"], json!([]));
    cluster.deliver_all();
    assert!(
        cluster.answers(leader).contains(&json!({"commandId":9,"kind":"read","value":null})),
        "{:?}",
        cluster.answers(leader)
    );
}


#[test]
fn restarts_from_every_prefix_of_its_records_and_catches_up_from_all_of_them() {
    let mut cluster = Cluster::new(3, 15);
    let leader = cluster.elect();
    for id in 1..=5 {
        cluster.input(leader, &propose(id, "append", "k", Some("x")));
        cluster.deliver_all();
    }
    cluster.tick_all(2);
    let follower = (1..=3).find(|&id| id != leader).unwrap();
    let records = cluster.records[(follower - 1) as usize].clone();
    assert!(records.len() > 3, "{:?}", records);
    for length in 0..=records.len() {
        let mut restarted = Session::new(stderr_logger(slog::Level::Warning));
        restarted.handle(r#"{"kind":"hello","protocol":2}"#).unwrap();
        let line = format!(
            r#"{{"kind":"start","id":{},"members":[1,2,3],"seed":1,"records":{},"options":{}}}"#,
            follower,
            json!(records[..length]),
            OPTIONS
        );
        let output: Value = serde_json::from_str(&restarted.handle(&line).unwrap()).unwrap();
        assert_eq!(output["state"]["log"]["from"], 1, "prefix {}", length);
    }
    // Restarted over all of them, it applies the committed commands again, in the same order.
    let before = commands_applied(&cluster, follower);
    cluster.outputs[(follower - 1) as usize].clear();
    let started = cluster.start(follower, 99, &records);
    assert_eq!(
        started["state"]["log"]["entries"].as_array().unwrap().len() as u64,
        before.last().unwrap().0
    );
    cluster.tick_all(3);
    assert_eq!(commands_applied(&cluster, follower), before);
}

#[test]
fn gives_byte_identical_outputs_for_identical_inputs() {
    let run = || {
        let mut cluster = Cluster::new(3, 16);
        let leader = cluster.elect();
        for id in 1..=4 {
            cluster.input(leader, &propose(id, "set", "k", Some("v")));
        }
        cluster.tick_all(30);
        cluster.router.transcript
    };
    assert_eq!(run(), run());
}

#[test]
fn answers_hello_with_protocol_2_and_its_features_and_with_protocol_1_to_an_older_harness() {
    let mut session = Session::new(stderr_logger(slog::Level::Warning));
    let hello: Value = serde_json::from_str(&session.handle(r#"{"kind":"hello","protocol":2}"#).unwrap()).unwrap();
    assert_eq!(
        hello,
        json!({"protocol":2,"name":"raft-rs","version":RAFT_VERSION,"restartable":true,
               "features":["membership","snapshots","preVote","checkQuorum","leadershipTransfer","leaseReads"],"leaseDriftMax":0.1,"removedNodeGuards":["checkQuorum"]})
    );
    let mut older = Session::new(stderr_logger(slog::Level::Warning));
    let hello: Value = serde_json::from_str(&older.handle(r#"{"kind":"hello","protocol":1}"#).unwrap()).unwrap();
    assert_eq!(
        hello,
        json!({"protocol":1,"name":"raft-rs","version":RAFT_VERSION,"restartable":true})
    );
}

#[test]
fn names_the_raft_version_that_cargo_lock_pins() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    assert!(
        lock.contains(&format!("name = \"raft\"\nversion = \"{}\"", RAFT_VERSION)),
        "Cargo.lock pins another raft than {}",
        RAFT_VERSION
    );
}

#[test]
fn refuses_a_message_addressed_to_another_node() {
    let mut cluster = Cluster::new(3, 17);
    cluster.tick_all(25);
    let (from, to, message) = (1u64, 2u64, json!({"type":"MsgHeartbeat","term":1,"body":"CAgQAhgBIAE="}));
    let error = cluster.sessions[(to - 1) as usize]
        .handle(&json!({"kind":"deliver","from":from + 2,"message":message}).to_string())
        .unwrap_err();
    assert!(error.contains("handed to 2 as from 3"), "{}", error);
}


#[test]
fn compacts_its_log_once_the_threshold_of_applied_entries_follows_the_last_snapshot() {
    let mut cluster = Cluster::with_options(3, 21, SNAPSHOT_OPTIONS);
    let leader = cluster.elect();
    for id in 1..=4 {
        cluster.input(leader, &propose(id, "append", "k", Some("x")));
        cluster.deliver_all();
    }
    cluster.tick_all(2);
    let taken = snapshots(&cluster, leader, "snapshotTaken");
    let first = taken.first().expect("no snapshot taken");
    assert!(first["index"].as_u64().unwrap() >= 3, "{}", first);
    assert_eq!(first["configuration"], json!({"voters":[1,2,3],"learners":[],"votersOutgoing":[]}));
    let last = taken.last().unwrap();
    assert_eq!(cluster.state(leader)["snapshotIndex"], last["index"]);
    assert_eq!(cluster.state(leader)["snapshotTerm"], last["term"]);
}


#[test]
fn catches_up_a_follower_by_snapshot_when_the_leader_has_compacted_what_it_lacks() {
    let (mut cluster, behind) = cluster_with_a_follower_behind_a_snapshot();
    let installed = snapshots(&cluster, behind, "snapshotInstalled");
    let snapshot = installed.first().expect("no snapshot installed");
    let index = snapshot["index"].as_u64().unwrap();
    assert!(index >= 3, "{}", snapshot);
    assert!(snapshot["data"]["k"].as_str().unwrap().starts_with("12"), "{}", snapshot);
    let leader = cluster.leader().unwrap();
    cluster.input(leader, &propose(9, "get", "k", None));
    cluster.deliver_all();
    cluster.tick_all(2);
    // Past the snapshot it applies one by one, with the same results as the leader.
    let after = |id| {
        commands_applied(&cluster, id)
            .into_iter()
            .filter(|(at, _, _)| *at > index)
            .collect::<Vec<_>>()
    };
    assert_eq!(after(behind), after(leader));
    assert_eq!(after(behind).last().unwrap().2, json!("12345678"));
}

#[test]
fn restarts_from_a_snapshot_record_with_the_state_machine_it_held() {
    let (mut cluster, behind) = cluster_with_a_follower_behind_a_snapshot();
    let installed = snapshots(&cluster, behind, "snapshotInstalled").last().unwrap().clone();
    let records = cluster.records[(behind - 1) as usize].clone();
    let started = cluster.start(behind, 5, &records);
    assert_eq!(started["snapshotInstalled"]["data"], installed["data"]);
    let index = installed["index"].as_u64().unwrap();
    assert_eq!(started["state"]["log"]["from"], json!(index + 1));
    assert!(started["state"]["appliedIndex"].as_u64().unwrap() >= index);
    assert_eq!(started["state"]["snapshotIndex"], json!(index));
}

#[test]
fn a_restart_whose_snapshot_record_was_lost_says_it_holds_no_snapshot() {
    let mut cluster = Cluster::with_options(3, 23, SNAPSHOT_OPTIONS);
    let leader = cluster.elect();
    for id in 1..=4 {
        cluster.input(leader, &propose(id, "append", "k", Some("x")));
        cluster.deliver_all();
    }
    assert!(!snapshots(&cluster, leader, "snapshotTaken").is_empty());
    // The snapshot the leader took was written unsynced: a crash may lose it and keep the rest.
    let records: Vec<Value> = cluster.records[(leader - 1) as usize]
        .iter()
        .filter(|record| record.get("snapshot").is_none())
        .cloned()
        .collect();
    let started = cluster.start(leader, 3, &records);
    assert_eq!(started["state"]["snapshotIndex"], 0);
    assert_eq!(started["state"]["snapshotTerm"], 0);
    assert_eq!(started["state"]["log"]["from"], 1);
}
