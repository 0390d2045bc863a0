// The test cluster shared by the adapter's tests: openraft nodes in one process on the shared
// router (adapters/raftcheck-rs), driven through the same JSON lines the harness sends, every
// message delivered in send order, every record kept. Nodes 1 to 3 start as the cluster; a higher
// id joins later (start with no members).

#![allow(dead_code)]

use raftcheck_openraft::Session;
use raftcheck_rs::router::Router;
use serde_json::{json, Value};

pub const OPTIONS: &str = r#"{"electionTicksMin":15,"electionTicksMax":30,"heartbeatTicks":3,"entriesPerMessageMax":64,"tickMs":10}"#;
const TICK_MS: u64 = 10;
/// The nodes a cluster starts with; the ids above join later.
pub const MEMBERS: [u64; 3] = [1, 2, 3];

/// A cluster that delivers every message in send order and keeps every record; the router's
/// fields and methods (records, outputs, input, state...) are the cluster's.
pub struct Cluster {
    pub router: Router<Session>,
    seed: i64,
    options: String,
    /// The nodes started (and not stopped): the ones that get messages and ticks.
    pub running: Vec<u64>,
}

raftcheck_rs::cluster_over_router!(Cluster, Session);

impl Cluster {
    pub fn new(seed: i64) -> Cluster {
        Cluster::with(seed, OPTIONS, 3)
    }

    /// `nodes` sessions with the given start options; nodes 1 to 3 start now.
    pub fn with(seed: i64, options: &str, nodes: u64) -> Cluster {
        let mut cluster = Cluster {
            router: Router::new(Session::handle),
            seed,
            options: options.to_owned(),
            running: Vec::new(),
        };
        for _ in 1..=nodes {
            let (_, hello) = cluster.router.add(Session::new());
            assert_eq!(hello["timing"], "clock");
        }
        for id in MEMBERS {
            cluster.start(id, &[]);
        }
        cluster
    }

    pub fn start(&mut self, id: u64, records: &[Value]) -> Value {
        let members: &[u64] = if MEMBERS.contains(&id) { &MEMBERS } else { &[] };
        if !self.running.contains(&id) {
            self.running.push(id);
        }
        self.router.start(id, members, self.seed, records, &self.options)
    }

    /// A crash: the node's process is gone with what it had not written; its records stay.
    pub fn stop(&mut self, id: u64) {
        self.running.retain(|running| *running != id);
        self.sessions[(id - 1) as usize] = Session::new();
        self.send(id, r#"{"kind":"hello","protocol":2}"#);
    }

    /// A restart over every record the node wrote.
    pub fn restart(&mut self, id: u64) -> Value {
        self.stop(id);
        let records = self.records[(id - 1) as usize].clone();
        self.start(id, &records)
    }

    /// Delivers every queued message (and what it causes), then advances every node one tick.
    pub fn round(&mut self) {
        let running = self.running.clone();
        self.router.deliver_queued(|_, to| running.contains(&to));
        for id in self.running.clone() {
            self.input(id, &format!(r#"{{"kind":"advance","elapsedMs":{}}}"#, TICK_MS));
        }
    }

    pub fn rounds(&mut self, count: u32) {
        for _ in 0..count {
            self.round();
        }
    }

    pub fn leaders(&self) -> Vec<u64> {
        self.running
            .iter()
            .copied()
            .filter(|id| self.state(*id)["role"] == "leader")
            .collect()
    }

    /// Runs until one leader is known to all, within a bound.
    pub fn elect(&mut self) -> u64 {
        for _ in 0..200 {
            self.round();
            let leaders = self.leaders();
            if leaders.len() == 1 && self.running.iter().all(|id| self.state(*id)["leaderHint"] == json!(leaders[0])) {
                return leaders[0];
            }
        }
        panic!("no leader after 200 ticks");
    }

    pub fn applied_commands(&self, id: u64) -> Vec<i64> {
        let applied = self.applied(id);
        applied
            .iter()
            .map(|entry| entry["commandId"].as_i64().unwrap())
            .filter(|id| *id != 0)
            .collect()
    }
}

pub fn propose(id: i64, key: &str, value: &str) -> String {
    json!({"kind": "propose", "command": {"id": id, "op": "set", "key": key, "value": value}}).to_string()
}
