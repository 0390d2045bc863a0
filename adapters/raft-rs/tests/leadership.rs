// Pre-vote, check-quorum, leadership transfer and lease reads, each switched on by the scenario's
// options (docs/CONTRACT.md), on three raft-rs nodes in one process.

mod common;

use common::{propose, Cluster};
use serde_json::{json, Value};

const PRE_VOTE: &str = r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4,"preVote":true}"#;
const CHECK_QUORUM: &str = r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4,"checkQuorum":true}"#;
const LEASE_READS: &str = r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4,"leaseReads":true}"#;

fn term(cluster: &Cluster, id: u64) -> u64 {
    cluster.state(id)["term"].as_u64().unwrap()
}

fn follower_of(_cluster: &Cluster, leader: u64) -> u64 {
    (1..=3).find(|&id| id != leader).unwrap()
}

/// The term a follower cut off from the others reaches after `rounds` rounds of ticks.
fn term_of_a_cut_off_follower(options: &'static str, rounds: usize) -> (u64, u64) {
    let mut cluster = Cluster::with_options(3, 41, options);
    let leader = cluster.elect();
    let follower = follower_of(&cluster, leader);
    let before = term(&cluster, follower);
    cluster.cut = Some(follower);
    cluster.tick_all(rounds);
    (before, term(&cluster, follower))
}

#[test]
fn with_pre_vote_a_cut_off_follower_does_not_raise_its_term_and_without_it_does() {
    let (before, after) = term_of_a_cut_off_follower(PRE_VOTE, 100);
    assert_eq!(after, before);
    let (before, after) = term_of_a_cut_off_follower(common::OPTIONS, 100);
    assert!(after > before + 2, "{} -> {}", before, after);
}

#[test]
fn with_check_quorum_a_leader_cut_off_from_the_quorum_steps_down_and_without_it_keeps_leading() {
    for (options, steps_down) in [(CHECK_QUORUM, true), (common::OPTIONS, false)] {
        let mut cluster = Cluster::with_options(3, 42, options);
        let leader = cluster.elect();
        cluster.cut = Some(leader);
        cluster.tick_all(30);
        assert_eq!(cluster.state(leader)["role"] != "leader", steps_down, "{}", options);
    }
}

#[test]
fn a_leader_with_lease_reads_answers_a_read_in_its_own_output_without_a_heartbeat_round() {
    let mut cluster = Cluster::with_options(3, 43, LEASE_READS);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "set", "k", Some("v")));
    cluster.deliver_all();
    let read = cluster.input(leader, &json!({"kind":"read","command":{"id":2,"op":"get","key":"k"}}).to_string());
    assert_eq!(read["answers"], json!([{"commandId":2,"kind":"read","value":"v"}]));
    assert_eq!(read["messages"], json!([]));
    // Without the lease the same read waits for a quorum's heartbeat responses.
    let mut cluster = Cluster::new(3, 43);
    let leader = cluster.elect();
    let read = cluster.input(leader, &json!({"kind":"read","command":{"id":2,"op":"get","key":"k"}}).to_string());
    assert_eq!(read["answers"], json!([]));
    assert!(!read["messages"].as_array().unwrap().is_empty());
}

fn transfer(id: i64, target: u64) -> String {
    json!({"kind":"transferLeadership","transfer":{"id":id,"target":target}}).to_string()
}

#[test]
fn a_transfer_hands_leadership_to_the_target_in_the_next_term() {
    let mut cluster = Cluster::with_options(3, 44, PRE_VOTE);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "set", "k", Some("v")));
    cluster.deliver_all();
    let target = follower_of(&cluster, leader);
    let term_before = term(&cluster, leader);
    let accepted = cluster.input(leader, &transfer(7, target));
    assert_eq!(accepted["answers"], json!([{"commandId":7,"kind":"transferAccepted","term":term_before}]));
    cluster.deliver_all();
    assert_eq!(cluster.state(target)["role"], "leader");
    assert_eq!(term(&cluster, target), term_before + 1);
    assert_eq!(cluster.state(leader)["leaderHint"], json!(target));
}

#[test]
fn a_transfer_in_progress_refuses_proposals_and_other_transfers_and_bad_targets_are_rejected() {
    let mut cluster = Cluster::new(3, 45);
    let leader = cluster.elect();
    let target = follower_of(&cluster, leader);
    let other = (1..=3).find(|&id| id != leader && id != target).unwrap();
    let answers = |output: Value| output["answers"].clone();
    let itself = cluster.input(leader, &transfer(1, leader));
    assert_eq!(answers(itself), json!([{"commandId":1,"kind":"rejected","reason":"the target is the leader itself"}]));
    let stranger = cluster.input(leader, &transfer(2, 9));
    assert_eq!(answers(stranger), json!([{"commandId":2,"kind":"rejected","reason":"node 9 is not a voter of the configuration"}]));
    let on_follower = cluster.input(other, &transfer(3, target));
    assert_eq!(answers(on_follower), json!([{"commandId":3,"kind":"notLeader","leaderHint":leader}]));
    // The target never hears of it: the transfer stays in progress.
    cluster.cut = Some(target);
    cluster.input(leader, &transfer(4, target));
    cluster.deliver_all();
    let second = cluster.input(leader, &transfer(5, other));
    let reason = format!("a transfer to node {} is in progress", target);
    assert_eq!(answers(second), json!([{"commandId":5,"kind":"rejected","reason":reason}]));
    let proposal = cluster.input(leader, &propose(6, "set", "k", Some("v")));
    assert_eq!(answers(proposal), json!([{"commandId":6,"kind":"notLeader","leaderHint":target}]));
    // raft-rs abandons it after an election timeout, and takes proposals again.
    cluster.tick_all(12);
    let proposal = cluster.input(leader, &propose(8, "set", "k", Some("v")));
    assert_eq!(proposal["answers"][0]["kind"], "accepted");
}
