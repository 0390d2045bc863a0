// Membership changes through openraft's change_membership, three nodes and a spare in one
// process: a voter in through a joint configuration that the leader leaves on its own, learners
// added and promoted, the leader removed, refusals where openraft refuses or cannot express a
// change, and the configuration recovered from records on restart.

mod common;

use common::{propose, Cluster, OPTIONS};
use serde_json::{json, Value};

fn change(id: i64, steps: &[(&str, u64)]) -> String {
    let steps: Vec<Value> = steps.iter().map(|(action, node)| json!({"action": action, "node": node})).collect();
    json!({"kind": "changeMembership", "change": {"id": id, "steps": steps}}).to_string()
}

/// Every configuration view a node showed, in order.
fn configurations(cluster: &Cluster, id: u64) -> Vec<Value> {
    let outputs = cluster.outputs[(id - 1) as usize].iter();
    outputs.filter_map(|output| output["state"].get("configuration").cloned()).collect()
}

fn latest(cluster: &Cluster, id: u64) -> Value {
    configurations(cluster, id).last().cloned().expect("a configuration view")
}

/// A cluster of 1-3 with a leader and node 4 started to join (no members).
fn with_spare(seed: i64) -> (Cluster, u64) {
    let mut cluster = Cluster::with(seed, OPTIONS, 4);
    let leader = cluster.elect();
    cluster.rounds(5);
    cluster.start(4, &[]);
    (cluster, leader)
}

#[test]
fn a_voter_joins_through_a_joint_configuration_that_the_leader_then_leaves_on_its_own() {
    let (mut cluster, leader) = with_spare(7);
    let answer = cluster.input(leader, &change(100, &[("addVoter", 4)]))["answers"][0].clone();
    assert_eq!((&answer["kind"], &answer["commandId"]), (&json!("accepted"), &json!(100)));
    let joint = json!({"voters": [1, 2, 3, 4], "learners": [], "votersOutgoing": [1, 2, 3]});
    assert_eq!(latest(&cluster, leader)["latest"], joint);
    assert_eq!(latest(&cluster, leader)["latestIndex"], answer["index"]);
    cluster.rounds(20);
    let uniform = json!({"voters": [1, 2, 3, 4], "learners": [], "votersOutgoing": []});
    for id in 1..=4 {
        let view = latest(&cluster, id);
        assert_eq!((&view["latest"], &view["committed"]), (&uniform, &uniform), "node {}", id);
        assert!(
            configurations(&cluster, id).iter().any(|view| view["latest"] == joint),
            "node {} saw the joint configuration",
            id
        );
    }
    cluster.input(leader, &propose(1, "k", "v"));
    cluster.rounds(10);
    assert_eq!(cluster.applied_commands(4), vec![1]);
}

#[test]
fn a_learner_added_then_promoted_becomes_a_voter() {
    let (mut cluster, leader) = with_spare(7);
    let answer = cluster.input(leader, &change(100, &[("addLearner", 4)]))["answers"][0].clone();
    assert_eq!(answer["kind"], "accepted");
    // Learners alone change in one uniform entry.
    assert_eq!(
        latest(&cluster, leader)["latest"],
        json!({"voters": [1, 2, 3], "learners": [4], "votersOutgoing": []})
    );
    cluster.rounds(20);
    assert_eq!(latest(&cluster, 4)["committed"]["learners"], json!([4]));
    assert_eq!(
        cluster.input(leader, &change(101, &[("promote", 4)]))["answers"][0]["kind"],
        "accepted"
    );
    cluster.rounds(20);
    assert_eq!(
        latest(&cluster, 4)["committed"],
        json!({"voters": [1, 2, 3, 4], "learners": [], "votersOutgoing": []})
    );
}

#[test]
fn a_second_change_before_the_first_commits_is_rejected_with_openrafts_reason() {
    let (mut cluster, leader) = with_spare(7);
    assert_eq!(
        cluster.input(leader, &change(100, &[("addLearner", 4)]))["answers"][0]["kind"],
        "accepted"
    );
    let answer = cluster.input(leader, &change(101, &[("remove", 4)]))["answers"][0].clone();
    assert_eq!((&answer["kind"], &answer["commandId"]), (&json!("rejected"), &json!(101)));
    assert!(answer["reason"].as_str().unwrap().contains("configuration change"), "{}", answer);
}

#[test]
fn changes_that_do_not_fit_or_that_openraft_cannot_express_are_rejected_and_a_follower_names_the_leader() {
    let (mut cluster, leader) = with_spare(7);
    for (id, steps) in [
        (100, vec![("addVoter", 1)]),
        (101, vec![("promote", 2)]),
        (102, vec![("remove", 9)]),
        (103, vec![("addVoter", 4), ("remove", 1)]),
    ] {
        let answer = cluster.input(leader, &change(id, &steps))["answers"][0].clone();
        assert_eq!(
            (&answer["kind"], &answer["commandId"]),
            (&json!("rejected"), &json!(id)),
            "{:?}",
            steps
        );
    }
    let follower = (1..=3).find(|id| *id != leader).unwrap();
    let answer = cluster.input(follower, &change(104, &[("addVoter", 4)]))["answers"][0].clone();
    assert_eq!(answer, json!({"kind": "notLeader", "commandId": 104, "leaderHint": leader}));
}

#[test]
fn a_leader_that_removes_itself_steps_down_once_the_change_commits_and_the_others_elect_a_leader() {
    let (mut cluster, leader) = with_spare(7);
    assert_eq!(
        cluster.input(leader, &change(100, &[("addVoter", 4)]))["answers"][0]["kind"],
        "accepted"
    );
    cluster.rounds(20);
    assert_eq!(
        cluster.input(leader, &change(101, &[("remove", leader)]))["answers"][0]["kind"],
        "accepted"
    );
    cluster.rounds(20);
    assert_ne!(cluster.state(leader)["role"], "leader");
    cluster.stop(leader);
    let successor = cluster.elect();
    assert_ne!(successor, leader);
    let mut voters = vec![1, 2, 3, 4];
    voters.retain(|id| *id != leader);
    assert_eq!(latest(&cluster, successor)["committed"]["voters"], json!(voters));
}

#[test]
fn a_restarted_node_recovers_the_configuration_from_its_log() {
    let (mut cluster, leader) = with_spare(7);
    assert_eq!(
        cluster.input(leader, &change(100, &[("addVoter", 4)]))["answers"][0]["kind"],
        "accepted"
    );
    cluster.rounds(20);
    let before = latest(&cluster, 4);
    let start = cluster.restart(4);
    assert_eq!(start["state"]["configuration"], before);
}
