// Three openraft nodes in one process, driven through the same JSON lines the harness sends, in
// virtual time: an election from the seeded timer, replication and application on every node,
// refusals naming the leader, linearizable reads, a restart from durable records, and
// byte-identical outputs for identical inputs.

mod common;

use common::{propose, Cluster};
use raftcheck_openraft::{Session, OPENRAFT_VERSION};
use serde_json::{json, Value};

#[test]
fn the_seeded_timer_elects_one_leader_that_every_node_follows() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    cluster.rounds(50);
    assert_eq!(cluster.leaders(), vec![leader]);
    let term = cluster.state(leader)["term"].as_u64().unwrap();
    // openraft's term 1 (or later), led by `leader`: term * 1000 + node id.
    assert_eq!(term % 1000, leader);
    for id in 1..=3 {
        assert_eq!(cluster.state(id)["term"], json!(term));
    }
}

#[test]
fn a_leader_accepts_a_command_that_every_node_then_applies_with_its_result() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    let output = cluster.input(leader, &propose(41, "k", "v"));
    let answer = &output["answers"][0];
    assert_eq!(
        (answer["kind"].as_str(), answer["commandId"].as_i64()),
        (Some("accepted"), Some(41))
    );
    let index = answer["index"].as_u64().unwrap();
    cluster.rounds(10);
    for id in 1..=3 {
        assert_eq!(cluster.applied_commands(id), vec![41], "node {}", id);
        assert!(cluster.state(id)["commitIndex"].as_u64().unwrap() >= index);
    }
    let applied = cluster.outputs[(leader - 1) as usize]
        .iter()
        .flat_map(|output| output["applied"].as_array().unwrap().clone());
    let entry = applied.into_iter().find(|entry| entry["commandId"] == json!(41)).unwrap();
    assert_eq!((entry["index"].as_u64(), &entry["result"]), (Some(index), &Value::Null));
}

#[test]
fn a_follower_refuses_a_command_naming_the_leader() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    let follower = (1..=3).find(|id| *id != leader).unwrap();
    let output = cluster.input(follower, &propose(5, "k", "v"));
    assert_eq!(
        output["answers"][0],
        json!({"kind": "notLeader", "commandId": 5, "leaderHint": leader})
    );
}

#[test]
fn a_read_on_the_leader_is_answered_with_the_value_once_a_quorum_confirms_its_leadership() {
    let mut cluster = Cluster::new(11);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "k", "v1"));
    cluster.rounds(10);
    let read = json!({"kind": "read", "command": {"id": 2, "op": "get", "key": "k"}}).to_string();
    cluster.input(leader, &read);
    cluster.rounds(5);
    let answers: Vec<Value> = cluster.outputs[(leader - 1) as usize]
        .iter()
        .flat_map(|output| output["answers"].as_array().unwrap().clone())
        .collect();
    assert!(
        answers.contains(&json!({"kind": "read", "commandId": 2, "value": "v1"})),
        "{:?}",
        answers
    );
}

#[test]
fn a_restarted_node_rebuilds_its_log_and_vote_from_its_records_and_applies_again() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "a", "x"));
    cluster.input(leader, &propose(2, "b", "y"));
    cluster.rounds(10);
    let follower = (1..=3).find(|id| *id != leader).unwrap();
    let before = cluster.state(follower).clone();
    let records = cluster.records[(follower - 1) as usize].clone();
    cluster.sessions[(follower - 1) as usize] = Session::new();
    cluster.send(follower, r#"{"kind":"hello","protocol":2}"#);
    cluster.outputs[(follower - 1) as usize].clear();
    let start = cluster.start(follower, &records);
    let view = &start["state"];
    assert_eq!((&view["term"], &view["votedFor"]), (&before["term"], &before["votedFor"]));
    assert_eq!(view["log"]["from"], json!(1));
    assert_eq!(
        view["log"]["entries"].as_array().unwrap().len() as u64,
        before["commitIndex"].as_u64().unwrap()
    );
    // The committed log id is a record too: the restarted node applies up to it at once.
    assert_eq!(cluster.applied_commands(follower), vec![1, 2]);
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let run = || {
        let mut cluster = Cluster::new(3);
        let leader = cluster.elect();
        for id in 1..=5 {
            cluster.input(leader, &propose(id, "k", &format!("v{}", id)));
            cluster.round();
        }
        cluster.rounds(20);
        cluster.router.transcript
    };
    assert_eq!(run(), run());
}

#[test]
fn cargo_lock_pins_the_openraft_release_the_program_names() {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let pinned = lock
        .split("[[package]]")
        .find(|package| package.contains("name = \"openraft\"\n"))
        .unwrap();
    assert!(pinned.contains(&format!("version = \"{}\"", OPENRAFT_VERSION)), "{}", pinned);
}

/// docs/FINDINGS.md, openraft 1: openraft restores a node whose durable vote is its own committed
/// leadership as leader at once, in the same term, so a leader that lost an unsynced tail in a
/// crash appends new entries at the indexes of the lost ones under the same log id.
#[test]
fn a_crashed_leader_restarts_as_leader_of_its_own_term_and_reuses_the_index_of_an_entry_it_lost() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    cluster.rounds(5);
    let term = cluster.state(leader)["term"].clone();
    let durable = cluster.records[(leader - 1) as usize].clone();
    // The command's record is written but never synced: the crash loses it.
    let lost = cluster.input(leader, &propose(1, "k", "lost"))["answers"][0]["index"].clone();
    cluster.queue.clear();
    cluster.sessions[(leader - 1) as usize] = Session::new();
    cluster.send(leader, r#"{"kind":"hello","protocol":2}"#);
    let start = cluster.start(leader, &durable);
    assert_eq!((&start["state"]["role"], &start["state"]["term"]), (&json!("leader"), &term));
    let answer = cluster.input(leader, &propose(2, "k", "new"))["answers"][0].clone();
    assert_eq!(
        (&answer["kind"], &answer["index"], &answer["term"]),
        (&json!("accepted"), &lost, &term)
    );
}

/// docs/FINDINGS.md, openraft 3: openraft leaves a state machine that starts empty to the
/// application ("do not serve read operation [until] a new `commit` message is received"). A leader
/// restarted in its own term, whose committed log id came back from storage behind what it had
/// applied before the crash, takes its term's first entry as enough for a linearizable read; the
/// adapter holds the read until the commit index covers the log the node restarted with.
#[test]
fn a_leader_restarted_in_its_own_term_holds_a_read_until_its_commit_covers_a_write_it_had_applied() {
    let mut cluster = Cluster::new(7);
    let leader = cluster.elect();
    cluster.rounds(5);
    cluster.input(leader, &propose(1, "k", "v1"));
    cluster.rounds(10);
    assert!(cluster.applied_commands(leader).contains(&1), "the write completed on the leader");
    // The crash loses the unsynced suffix of the leader's records: everything after the record
    // that appended the write, which holds the committed log id that covered it.
    let records = cluster.records[(leader - 1) as usize].clone();
    let appended = records
        .iter()
        .rposition(|record| {
            record["entries"]
                .as_array()
                .is_some_and(|entries| entries.iter().any(|entry| entry["payload"]["Normal"]["id"] == json!(1)))
        })
        .expect("the write's record");
    assert!(records[appended + 1..].iter().any(|record| record.get("committed").is_some()));
    cluster.queue.clear();
    cluster.sessions[(leader - 1) as usize] = Session::new();
    cluster.send(leader, r#"{"kind":"hello","protocol":2}"#);
    assert_eq!(cluster.start(leader, &records[..=appended])["state"]["role"], json!("leader"));
    cluster.input(
        leader,
        &json!({"kind": "read", "command": {"id": 2, "op": "get", "key": "k"}}).to_string(),
    );
    let read_answers = |cluster: &Cluster| -> Vec<Value> {
        let outputs = cluster.outputs[(leader - 1) as usize].iter();
        outputs
            .flat_map(|output| output["answers"].as_array().unwrap().clone())
            .filter(|answer| answer["commandId"] == json!(2))
            .collect()
    };
    // While the restarted leader's replication is lost, its commit index stays behind: no answer
    // (openraft alone would answer null here, at index 1, below the write at index 2).
    for _ in 0..10 {
        while let Some((from, to, message)) = cluster.queue.pop_front() {
            let rpc = &message["body"]["appendEntries"]["rpc"];
            let check = message["type"] == "AppendEntries" && rpc["prev_log_id"].is_null() && rpc["entries"] == json!([]);
            if check || message["type"] == "AppendEntriesResponse" {
                cluster.deliver(from, to, message);
            }
        }
    }
    assert_eq!(read_answers(&cluster), Vec::<Value>::new());
    cluster.rounds(10);
    assert_eq!(read_answers(&cluster), vec![json!({"kind": "read", "commandId": 2, "value": "v1"})]);
}
