// The decoded view on every message (docs/CONTRACT.md, "Message views"): each says in Raft's
// common vocabulary what the raft-rs message's own fields say, so that the harness's durability
// probes read the promises raft-rs makes.

mod common;

use base64::Engine as _;
use common::{propose, Cluster};
use protobuf::Message as _;
use raft::eraftpb::{Message, MessageType};
use serde_json::{json, Value};

/// Every message the nodes sent, decoded, beside the view it went with.
fn sent(cluster: &Cluster) -> Vec<(Message, Value)> {
    let mut sent = Vec::new();
    for outputs in &cluster.outputs {
        for output in outputs {
            for outbound in output["messages"].as_array().unwrap() {
                let body = base64::engine::general_purpose::STANDARD
                    .decode(outbound["message"]["body"].as_str().unwrap())
                    .unwrap();
                let message = Message::parse_from_bytes(&body).unwrap();
                sent.push((message, outbound["message"]["view"].clone()));
            }
        }
    }
    sent
}

/// What the view of `message` must be, from raft-rs's fields.
fn expected_view(message: &Message) -> Value {
    let term = message.term;
    match message.get_msg_type() {
        MessageType::MsgRequestVote => {
            json!({"kind":"voteRequest","term":term,"candidate":message.from,"lastIndex":message.index,"lastTerm":message.log_term})
        }
        MessageType::MsgRequestVoteResponse => json!({"kind":"voteResponse","term":term,"granted":!message.reject}),
        MessageType::MsgAppend => {
            let ids: Vec<i64> = message
                .entries
                .iter()
                .map(|entry| serde_json::from_slice::<Value>(&entry.data).map_or(0, |command| command["id"].as_i64().unwrap()))
                .collect();
            json!({"kind":"append","term":term,"prevIndex":message.index,"prevTerm":message.log_term,
                   "entries":message.entries.len(),"commit":message.commit,"entryIds":ids})
        }
        MessageType::MsgAppendResponse if message.reject => {
            json!({"kind":"appendResponse","term":term,"success":false,"matchIndex":0,"rejectHint":message.reject_hint})
        }
        MessageType::MsgAppendResponse => json!({"kind":"appendResponse","term":term,"success":true,"matchIndex":message.index}),
        MessageType::MsgHeartbeat => json!({"kind":"heartbeat","term":term,"commit":message.commit}),
        MessageType::MsgHeartbeatResponse => json!({"kind":"heartbeatResponse","term":term}),
        other => panic!("a {:?} in a test that sends none", other),
    }
}

#[test]
fn every_message_carries_a_view_that_says_what_its_raft_rs_fields_say() {
    let mut cluster = Cluster::new(3, 31);
    let leader = cluster.elect();
    cluster.input(leader, &propose(1, "set", "k", Some("v")));
    cluster.deliver_all();
    // A follower that lost appends rejects the next one: a rejection's view too.
    cluster.cut = Some((1..=3).find(|&id| id != leader).unwrap());
    for id in 2..=3 {
        cluster.input(leader, &propose(id, "set", "k", Some("v")));
        cluster.deliver_all();
    }
    cluster.cut = None;
    cluster.input(leader, &propose(4, "set", "k", Some("w")));
    cluster.deliver_all();
    cluster.tick_all(3);
    let mut kinds = std::collections::BTreeSet::new();
    for (message, view) in sent(&cluster) {
        assert_eq!(view, expected_view(&message), "{:?}", message);
        kinds.insert(format!("{}{}", view["kind"].as_str().unwrap(), if view["success"] == false { " rejected" } else { "" }));
    }
    let expected = ["append", "appendResponse", "appendResponse rejected", "heartbeat", "heartbeatResponse", "voteRequest", "voteResponse"];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected);
}

#[test]
fn a_snapshot_message_s_view_names_the_snapshot_it_carries() {
    let (cluster, behind) = common::cluster_with_a_follower_behind_a_snapshot();
    let snapshots: Vec<(Message, Value)> = sent(&cluster)
        .into_iter()
        .filter(|(message, _)| message.get_msg_type() == MessageType::MsgSnapshot)
        .collect();
    let (message, view) = snapshots.first().expect("no snapshot sent");
    assert_eq!(message.to, behind);
    let metadata = message.get_snapshot().get_metadata();
    assert_eq!(
        *view,
        json!({"kind":"snapshot","term":message.term,"index":metadata.index,"snapshotTerm":metadata.term})
    );
}
