// The test cluster every adapter test drives: raft-rs nodes in one process on the shared router
// (adapters/raftcheck-rs), fed the same JSON lines the harness sends, every message delivered in
// send order unless a node is cut off.
#![allow(dead_code)] // each test file uses a part of it

use raftcheck_raft_rs::{stderr_logger, Session};
use raftcheck_rs::router::Router;
use serde_json::{json, Value};

pub const OPTIONS: &str = r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4}"#;
pub const SNAPSHOT_OPTIONS: &str =
    r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4,"snapshotEntriesThreshold":3}"#;

/// A cluster that delivers every message in send order and keeps every record (all synced);
/// the router's fields and methods (records, outputs, input, state...) are the cluster's.
pub struct Cluster {
    pub router: Router<Session>,
    pub options: &'static str,
    /// A node cut off from the others: every message to or from it is lost.
    pub cut: Option<u64>,
    /// The members each node is started with (a node that joins is started with none).
    pub members: Vec<Vec<u64>>,
}

raftcheck_rs::cluster_over_router!(Cluster, Session);

impl Cluster {
    pub fn new(size: u64, seed: i64) -> Cluster {
        Cluster::with_options(size, seed, OPTIONS)
    }

    pub fn with_options(size: u64, seed: i64, options: &'static str) -> Cluster {
        let mut cluster = Cluster {
            router: Router::new(Session::handle),
            options,
            cut: None,
            members: Vec::new(),
        };
        for _ in 1..=size {
            cluster.add_session((1..=size).collect());
        }
        for id in 1..=size {
            cluster.start(id, seed, &[]);
        }
        cluster
    }

    /// A new node's process, answered hello; `members` is what its starts will say.
    pub fn add_session(&mut self, members: Vec<u64>) -> u64 {
        self.members.push(members);
        self.router.add(Session::new(stderr_logger(slog::Level::Warning))).0
    }

    pub fn start(&mut self, id: u64, seed: i64, records: &[Value]) -> Value {
        let members = self.members[(id - 1) as usize].clone();
        self.router.start(id, &members, seed, records, self.options)
    }

    pub fn deliver_all(&mut self) {
        let (cut, started) = (self.cut, self.sessions.len() as u64);
        // Lost: cut off, or to a node not started yet.
        self.router
            .deliver_queued(|from, to| cut != Some(from) && cut != Some(to) && to <= started);
    }

    pub fn tick_all(&mut self, rounds: usize) {
        for _ in 0..rounds {
            for id in 1..=self.sessions.len() as u64 {
                self.input(id, r#"{"kind":"tick"}"#);
            }
            self.deliver_all();
        }
    }

    pub fn leader(&self) -> Option<u64> {
        (1..=self.sessions.len() as u64).find(|&id| self.state(id)["role"] == "leader")
    }

    pub fn elect(&mut self) -> u64 {
        for _ in 0..100 {
            self.tick_all(1);
            if let Some(leader) = self.leader() {
                return leader;
            }
        }
        panic!("no leader after 100 rounds");
    }
}

pub fn propose(id: i64, op: &str, key: &str, value: Option<&str>) -> String {
    let mut command = json!({"id": id, "op": op, "key": key});
    if let Some(value) = value {
        command["value"] = json!(value);
    }
    json!({"kind":"propose","command":command}).to_string()
}

pub fn commands_applied(cluster: &Cluster, id: u64) -> Vec<(u64, i64, Value)> {
    cluster
        .applied(id)
        .iter()
        .filter(|entry| entry["commandId"] != 0)
        .map(|entry| {
            (
                entry["index"].as_u64().unwrap(),
                entry["commandId"].as_i64().unwrap(),
                entry["result"].clone(),
            )
        })
        .collect()
}
impl Cluster {
    /// Ticks until a node wins, delivering only until the votes are in, so that the new
    /// leader's first entry is still in flight.
    pub fn elect_without_delivering(&mut self) -> u64 {
        for _ in 0..100 {
            for id in 1..=self.sessions.len() as u64 {
                self.input(id, r#"{"kind":"tick"}"#);
            }
            while let Some((from, to, message)) = self.queue.pop_front() {
                self.deliver(from, to, message);
                if let Some(leader) = self.leader() {
                    return leader;
                }
            }
        }
        panic!("no leader after 100 rounds");
    }
}

pub fn snapshots(cluster: &Cluster, id: u64, kind: &str) -> Vec<Value> {
    cluster.outputs[(id - 1) as usize]
        .iter()
        .filter_map(|output| output.get(kind).cloned())
        .collect()
}

/// Three nodes, one follower cut off while the others commit and compact past what it has.
pub fn cluster_with_a_follower_behind_a_snapshot() -> (Cluster, u64) {
    let mut cluster = Cluster::with_options(3, 22, SNAPSHOT_OPTIONS);
    let leader = cluster.elect();
    let behind = (1..=3).find(|&id| id != leader).unwrap();
    cluster.cut = Some(behind);
    for id in 1..=8 {
        cluster.input(leader, &propose(id, "append", "k", Some(&id.to_string())));
        cluster.deliver_all();
    }
    cluster.tick_all(2);
    assert!(!snapshots(&cluster, leader, "snapshotTaken").is_empty());
    cluster.cut = None;
    cluster.tick_all(10);
    (cluster, behind)
}
