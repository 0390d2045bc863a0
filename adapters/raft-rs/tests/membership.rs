// Membership changes through raft-rs's ConfChangeV2 (docs/CONTRACT.md, "Membership changes"):
// a fresh node joining as a learner and promoted, a joint change that raft-rs leaves on its own,
// removing the leader, the changes a leader must refuse, and a node added after the leader's
// latest snapshot; three nodes (and a fourth) in one process.

mod common;

use common::{commands_applied, propose, snapshots, Cluster};
use serde_json::{json, Value};

fn change(id: i64, steps: &[(&str, u64)]) -> String {
    let steps: Vec<Value> = steps.iter().map(|(action, node)| json!({"action":action,"node":node})).collect();
    json!({"kind":"changeMembership","change":{"id":id,"steps":steps}}).to_string()
}

/// Every configuration a node's views showed, in order.
fn configurations(cluster: &Cluster, id: u64) -> Vec<Value> {
    cluster.outputs[(id - 1) as usize]
        .iter()
        .filter_map(|output| output["state"].get("configuration").cloned())
        .collect()
}

fn latest(cluster: &Cluster, id: u64) -> Value {
    configurations(cluster, id).last().unwrap()["latest"].clone()
}

fn configuration(voters: &[u64], learners: &[u64], outgoing: &[u64]) -> Value {
    json!({"voters":voters,"learners":learners,"votersOutgoing":outgoing})
}

/// A leader with one committed command, after the new leader's own entry is applied.
fn cluster_with_a_leader(seed: i64) -> (Cluster, u64) {
    let mut cluster = Cluster::new(3, seed);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "set", "k", Some("v")));
    cluster.deliver_all();
    (cluster, leader)
}

#[test]
fn a_fresh_node_joins_as_a_learner_catches_up_and_is_promoted_to_a_voter() {
    let (mut cluster, leader) = cluster_with_a_leader(51);
    let joining = cluster.add_session(vec![]);
    let started = cluster.start(joining, 9, &[]);
    assert_eq!(started["state"]["configuration"]["latest"], configuration(&[], &[], &[]));
    let accepted = cluster.input(leader, &change(41, &[("addLearner", joining)]));
    assert_eq!(accepted["answers"][0]["kind"], "accepted", "{}", accepted);
    cluster.deliver_all();
    cluster.tick_all(3);
    assert_eq!(latest(&cluster, leader), configuration(&[1, 2, 3], &[4], &[]));
    assert_eq!(latest(&cluster, joining), configuration(&[1, 2, 3], &[4], &[]));
    assert_eq!(commands_applied(&cluster, joining), commands_applied(&cluster, leader));
    let index = accepted["answers"][0]["index"].as_u64().unwrap();
    assert!(cluster.applied(joining).contains(&json!({"index":index,"term":accepted["answers"][0]["term"],"commandId":41})));
    let promoted = cluster.input(leader, &change(42, &[("promote", joining)]));
    assert_eq!(promoted["answers"][0]["kind"], "accepted", "{}", promoted);
    cluster.deliver_all();
    cluster.tick_all(3);
    for id in 1..=4 {
        assert_eq!(latest(&cluster, id), configuration(&[1, 2, 3, 4], &[], &[]), "node {}", id);
    }
}

#[test]
fn a_joint_change_passes_through_the_joint_configuration_and_raft_rs_leaves_it_on_its_own() {
    let (mut cluster, leader) = cluster_with_a_leader(52);
    let joining = cluster.add_session(vec![]);
    cluster.start(joining, 9, &[]);
    let removed = (1..=3).find(|&id| id != leader).unwrap();
    let accepted = cluster.input(leader, &change(43, &[("addVoter", joining), ("remove", removed)]));
    assert_eq!(accepted["answers"][0]["kind"], "accepted", "{}", accepted);
    cluster.deliver_all();
    cluster.tick_all(3);
    let mut remaining: Vec<u64> = vec![1, 2, 3, 4].into_iter().filter(|&id| id != removed).collect();
    remaining.sort_unstable();
    let shown: Vec<Value> = configurations(&cluster, leader).into_iter().map(|view| view["latest"].clone()).collect();
    assert!(shown.contains(&configuration(&remaining, &[], &[1, 2, 3])), "{:?}", shown);
    assert_eq!(shown.last().unwrap(), &configuration(&remaining, &[], &[]));
    // The leave entry is raft-rs's own: applied with command id 0, right after the joint one.
    let index = accepted["answers"][0]["index"].as_u64().unwrap();
    let leave = cluster.applied(leader).into_iter().find(|entry| entry["index"] == index + 1).unwrap();
    assert_eq!(leave["commandId"], 0);
    let after = cluster.input(leader, &propose(2, "set", "k", Some("w")));
    cluster.deliver_all();
    assert_eq!(after["answers"][0]["kind"], "accepted");
    assert_eq!(commands_applied(&cluster, joining).last().unwrap().1, 2);
}

#[test]
fn a_leader_that_removes_itself_steps_down_never_campaigns_and_the_others_elect_a_new_one() {
    let (mut cluster, leader) = cluster_with_a_leader(53);
    let accepted = cluster.input(leader, &change(44, &[("remove", leader)]));
    assert_eq!(accepted["answers"][0]["kind"], "accepted", "{}", accepted);
    cluster.deliver_all();
    assert_eq!(cluster.state(leader)["role"], "follower");
    let term = cluster.state(leader)["term"].clone();
    cluster.tick_all(60);
    let new_leader = (1..=3).find(|&id| id != leader && cluster.state(id)["role"] == "leader");
    assert!(new_leader.is_some(), "no new leader");
    let others: Vec<u64> = (1..=3).filter(|&id| id != leader).collect();
    assert_eq!(latest(&cluster, new_leader.unwrap()), configuration(&others, &[], &[]));
    // Its own timer fired several times in 60 rounds; it never campaigned (nobody else writes to
    // it any more, so nothing else could move its term).
    assert_eq!(cluster.state(leader)["term"], term);
    assert_eq!(cluster.state(leader)["role"], "follower");
}

#[test]
fn refuses_changes_that_do_not_fit_or_come_too_early_and_sends_followers_to_the_leader() {
    let mut cluster = Cluster::new(3, 54);
    let leader = cluster.elect_without_delivering();
    let answer = |cluster: &mut Cluster, id: u64, line: &str| cluster.input(id, line)["answers"][0].clone();
    let rejected = |id: i64, reason: &str| json!({"commandId":id,"kind":"rejected","reason":reason});
    assert_eq!(answer(&mut cluster, leader, &change(1, &[("addLearner", 4)])), rejected(1, "no entry of the leader's term is applied yet"));
    cluster.deliver_all();
    let follower = (1..=3).find(|&id| id != leader).unwrap();
    assert_eq!(answer(&mut cluster, follower, &change(2, &[("addLearner", 4)])), json!({"commandId":2,"kind":"notLeader","leaderHint":leader}));
    assert_eq!(answer(&mut cluster, leader, &change(3, &[("addVoter", follower)])), rejected(3, &format!("node {} is already a member", follower)));
    assert_eq!(answer(&mut cluster, leader, &change(4, &[("promote", follower)])), rejected(4, &format!("node {} is not a learner", follower)));
    assert_eq!(answer(&mut cluster, leader, &change(5, &[("remove", 7)])), rejected(5, "node 7 is not a member"));
    assert_eq!(answer(&mut cluster, leader, &change(6, &[])), rejected(6, "a change without steps"));
    assert_eq!(answer(&mut cluster, leader, &change(7, &[("addLearner", 4)]))["kind"], "accepted");
    assert_eq!(answer(&mut cluster, leader, &change(8, &[("addLearner", 5)])), rejected(8, "a configuration change is in progress"));
    let others: Vec<u64> = (1..=3).filter(|&id| id != leader).collect();
    let removing_all = change(9, &[("remove", others[0]), ("remove", others[1]), ("remove", leader)]);
    cluster.deliver_all();
    let refused = answer(&mut cluster, leader, &removing_all);
    assert_eq!(refused["kind"], "rejected", "{}", refused);
}

#[test]
fn a_node_that_joined_restarts_from_its_records_with_the_configuration_it_had() {
    let (mut cluster, leader) = cluster_with_a_leader(55);
    let joining = cluster.add_session(vec![]);
    cluster.start(joining, 9, &[]);
    cluster.input(leader, &change(45, &[("addLearner", joining)]));
    cluster.deliver_all();
    cluster.input(leader, &change(46, &[("promote", joining)]));
    cluster.deliver_all();
    cluster.tick_all(3);
    let records = cluster.records[(joining - 1) as usize].clone();
    cluster.outputs[(joining - 1) as usize].clear();
    cluster.start(joining, 10, &records);
    cluster.tick_all(3);
    assert_eq!(latest(&cluster, joining), configuration(&[1, 2, 3, 4], &[], &[]));
    assert_eq!(commands_applied(&cluster, joining), commands_applied(&cluster, leader));
}

/// Compaction every 5 applied entries: a change or two after a snapshot takes none.
const SNAPSHOT_EVERY_5: &str = r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4,"snapshotEntriesThreshold":5}"#;

#[test]
fn a_node_added_after_the_leaders_latest_snapshot_is_sent_a_fresh_one_that_names_it() {
    // raft-rs refuses a snapshot whose configuration lacks its recipient; the leader's latest
    // here predates the new voter, and the leader has compacted the entries it would need.
    let mut cluster = Cluster::with_options(3, 56, SNAPSHOT_EVERY_5);
    let leader = cluster.elect();
    for id in 1..=5 {
        cluster.input(leader, &propose(id, "set", "k", Some(&id.to_string())));
        cluster.deliver_all();
    }
    cluster.tick_all(2);
    let taken = snapshots(&cluster, leader, "snapshotTaken");
    assert_eq!(taken.len(), 1, "{:?}", taken);
    let joining = cluster.add_session(vec![]);
    cluster.start(joining, 9, &[]);
    let accepted = cluster.input(leader, &change(47, &[("addVoter", joining)]));
    assert_eq!(accepted["answers"][0]["kind"], "accepted", "{}", accepted);
    cluster.deliver_all();
    cluster.tick_all(10);
    let installed = snapshots(&cluster, joining, "snapshotInstalled");
    assert_eq!(installed.len(), 1, "{:?}", installed);
    assert_eq!(latest(&cluster, joining), configuration(&[1, 2, 3, 4], &[], &[]));
    cluster.input(leader, &propose(6, "set", "k", Some("6")));
    cluster.deliver_all();
    assert_eq!(commands_applied(&cluster, joining).last().unwrap().1, 6);
    // The one it installed is the fresh one, taken before 5 more entries were applied.
    let fresh = snapshots(&cluster, leader, "snapshotTaken");
    assert_eq!(fresh.len(), 2, "{:?}", fresh);
    assert_eq!(installed[0]["index"], fresh[1]["index"]);
}
