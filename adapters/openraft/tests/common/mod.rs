// The test cluster shared by the adapter's tests: openraft nodes in one process, driven through
// the same JSON lines the harness sends, every message delivered in send order, every record kept.
// Nodes 1 to 3 start as the cluster; a higher id joins later (start with no members).

#![allow(dead_code)]

use std::collections::VecDeque;

use raftcheck_openraft::Session;
use serde_json::{json, Value};

pub const OPTIONS: &str = r#"{"electionTicksMin":15,"electionTicksMax":30,"heartbeatTicks":3,"entriesPerMessageMax":64,"tickMs":10}"#;
const TICK_MS: u64 = 10;
/// The nodes a cluster starts with; the ids above join later.
pub const MEMBERS: [u64; 3] = [1, 2, 3];

/// A cluster that delivers every message in send order and keeps every record.
pub struct Cluster {
    pub sessions: Vec<Session>,
    pub records: Vec<Vec<Value>>,
    pub queue: VecDeque<(u64, u64, Value)>,
    /// Every output line, in order: what determinism compares.
    pub transcript: Vec<String>,
    pub outputs: Vec<Vec<Value>>,
    seed: i64,
    options: String,
    /// The nodes started (and not stopped): the ones that get messages and ticks.
    pub running: Vec<u64>,
}

impl Cluster {
    pub fn new(seed: i64) -> Cluster {
        Cluster::with(seed, OPTIONS, 3)
    }

    /// `nodes` sessions with the given start options; nodes 1 to 3 start now.
    pub fn with(seed: i64, options: &str, nodes: u64) -> Cluster {
        let mut cluster = Cluster {
            sessions: Vec::new(),
            records: Vec::new(),
            queue: VecDeque::new(),
            transcript: Vec::new(),
            outputs: Vec::new(),
            seed,
            options: options.to_owned(),
            running: Vec::new(),
        };
        for id in 1..=nodes {
            cluster.sessions.push(Session::new());
            cluster.records.push(Vec::new());
            cluster.outputs.push(Vec::new());
            let hello = cluster.send(id, r#"{"kind":"hello","protocol":2}"#);
            assert_eq!(hello["timing"], "clock");
        }
        for id in MEMBERS {
            cluster.start(id, &[]);
        }
        cluster
    }

    pub fn start(&mut self, id: u64, records: &[Value]) -> Value {
        let members = if MEMBERS.contains(&id) { json!(MEMBERS) } else { json!([]) };
        let line = format!(
            r#"{{"kind":"start","id":{},"members":{},"seed":{},"records":{},"options":{}}}"#,
            id,
            members,
            self.seed,
            json!(records),
            self.options
        );
        self.records[(id - 1) as usize] = records.to_vec();
        if !self.running.contains(&id) {
            self.running.push(id);
        }
        self.input(id, &line)
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

    pub fn send(&mut self, id: u64, line: &str) -> Value {
        let answer = self.sessions[(id - 1) as usize]
            .handle(line)
            .unwrap_or_else(|error| panic!("node {}: {}", id, error));
        self.transcript.push(answer.clone());
        serde_json::from_str(&answer).unwrap()
    }

    /// Sends one input and routes what it caused: records kept, messages queued.
    pub fn input(&mut self, id: u64, line: &str) -> Value {
        let output = self.send(id, line);
        self.records[(id - 1) as usize].extend(output["records"].as_array().unwrap().iter().cloned());
        for message in output["messages"].as_array().unwrap() {
            let to = message["to"].as_u64().unwrap();
            assert_ne!(to, id, "a message to itself");
            self.queue.push_back((id, to, message["message"].clone()));
        }
        self.outputs[(id - 1) as usize].push(output.clone());
        output
    }

    /// Delivers every queued message (and what it causes), then advances every node one tick.
    pub fn round(&mut self) {
        while let Some((from, to, message)) = self.queue.pop_front() {
            if !self.running.contains(&to) {
                continue;
            }
            let line = json!({"kind": "deliver", "from": from, "message": message}).to_string();
            self.input(to, &line);
        }
        for id in self.running.clone() {
            self.input(id, &format!(r#"{{"kind":"advance","elapsedMs":{}}}"#, TICK_MS));
        }
    }

    pub fn rounds(&mut self, count: u32) {
        for _ in 0..count {
            self.round();
        }
    }

    /// The latest view of each node.
    pub fn state(&self, id: u64) -> Value {
        let outputs = &self.outputs[(id - 1) as usize];
        outputs.iter().rev().find_map(|output| output.get("state").cloned()).unwrap()
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
        let outputs = &self.outputs[(id - 1) as usize];
        let applied = outputs.iter().flat_map(|output| output["applied"].as_array().unwrap().iter());
        applied
            .map(|entry| entry["commandId"].as_i64().unwrap())
            .filter(|id| *id != 0)
            .collect()
    }
}

pub fn propose(id: i64, key: &str, value: &str) -> String {
    json!({"kind": "propose", "command": {"id": id, "op": "set", "key": key, "value": value}}).to_string()
}
