// The in-process router the Rust adapters' tests drive their nodes through: every node a session
// that answers one protocol line with one line (each adapter's `Session::handle`), fed the same
// JSON lines the harness sends, its records kept (all synced) and its messages queued in send
// order. Which messages reach their node (a node cut off, one not started) and how time passes
// (ticks or advances) stay with each adapter's test cluster.

use std::collections::VecDeque;

use serde_json::{json, Value};

/// How many deliveries one `deliver_queued` makes before it calls the cluster runaway.
const DELIVERIES_MAX: usize = 100_000;

/// Nodes 1, 2, ... in the order their sessions were added.
pub struct Router<S> {
    pub sessions: Vec<S>,
    /// Every record each node wrote (its durable storage: nothing is lost here).
    pub records: Vec<Vec<Value>>,
    /// Messages sent and not yet delivered: (from, to, message).
    pub queue: VecDeque<(u64, u64, Value)>,
    /// Every output line, in order: what determinism compares.
    pub transcript: Vec<String>,
    /// Every output of each node, parsed.
    pub outputs: Vec<Vec<Value>>,
    handle: fn(&mut S, &str) -> Result<String, String>,
}

impl<S> Router<S> {
    /// A router with no node yet; `handle` answers one input line of a session.
    pub fn new(handle: fn(&mut S, &str) -> Result<String, String>) -> Self {
        Router {
            sessions: Vec::new(),
            records: Vec::new(),
            queue: VecDeque::new(),
            transcript: Vec::new(),
            outputs: Vec::new(),
            handle,
        }
    }

    /// A node's session, answered hello; its id is the number of sessions so far.
    pub fn add(&mut self, session: S) -> (u64, Value) {
        self.sessions.push(session);
        self.records.push(Vec::new());
        self.outputs.push(Vec::new());
        let id = self.sessions.len() as u64;
        (id, self.send(id, r#"{"kind":"hello","protocol":2}"#))
    }

    /// One line to a node and its answer, recorded in the transcript; a refused line fails the test.
    pub fn send(&mut self, id: u64, line: &str) -> Value {
        let answer = (self.handle)(&mut self.sessions[index(id)], line)
            .unwrap_or_else(|error| panic!("node {}: {}", id, error));
        self.transcript.push(answer.clone());
        serde_json::from_str(&answer).unwrap()
    }

    /// Sends one input and routes what it caused: records kept, messages queued.
    pub fn input(&mut self, id: u64, line: &str) -> Value {
        let output = self.send(id, line);
        self.records[index(id)].extend(output["records"].as_array().unwrap().iter().cloned());
        for message in output["messages"].as_array().unwrap() {
            let to = message["to"].as_u64().unwrap();
            assert_ne!(to, id, "node {} sent a message to itself", id);
            self.queue.push_back((id, to, message["message"].clone()));
        }
        self.outputs[index(id)].push(output.clone());
        output
    }

    /// Starts (or restarts) a node over `records`, which become all it has written.
    pub fn start(
        &mut self,
        id: u64,
        members: &[u64],
        seed: i64,
        records: &[Value],
        options: &str,
    ) -> Value {
        let line = format!(
            r#"{{"kind":"start","id":{},"members":{},"seed":{},"records":{},"options":{}}}"#,
            id,
            json!(members),
            seed,
            json!(records),
            options
        );
        self.records[index(id)] = records.to_vec();
        self.input(id, &line)
    }

    pub fn deliver(&mut self, from: u64, to: u64, message: Value) -> Value {
        self.input(
            to,
            &json!({"kind": "deliver", "from": from, "message": message}).to_string(),
        )
    }

    /// Delivers queued messages, and those they cause, until none is left; a message for which
    /// `reaches(from, to)` is false is lost.
    pub fn deliver_queued(&mut self, reaches: impl Fn(u64, u64) -> bool) {
        for _ in 0..DELIVERIES_MAX {
            let Some((from, to, message)) = self.queue.pop_front() else {
                return;
            };
            if reaches(from, to) {
                self.deliver(from, to, message);
            }
        }
        panic!("messages kept coming after {} deliveries", DELIVERIES_MAX);
    }

    /// The latest view of a node (the last output that carried one).
    pub fn state(&self, id: u64) -> &Value {
        let outputs = &self.outputs[index(id)];
        outputs
            .iter()
            .rev()
            .find_map(|output| output.get("state"))
            .unwrap()
    }

    /// Every entry the node applied, in order, across its outputs.
    pub fn applied(&self, id: u64) -> Vec<Value> {
        self.listed(id, "applied")
    }

    /// Every answer to a proposal the node gave, in order.
    pub fn answers(&self, id: u64) -> Vec<Value> {
        self.listed(id, "answers")
    }

    fn listed(&self, id: u64, field: &str) -> Vec<Value> {
        let outputs = &self.outputs[index(id)];
        outputs
            .iter()
            .flat_map(|output| output[field].as_array().unwrap().iter().cloned())
            .collect()
    }
}

/// Makes a test cluster with a `router: Router<S>` field usable as its router: the router's fields
/// and methods (records, outputs, input, state...) become the cluster's.
#[macro_export]
macro_rules! cluster_over_router {
    ($cluster:ty, $session:ty) => {
        impl std::ops::Deref for $cluster {
            type Target = $crate::router::Router<$session>;
            fn deref(&self) -> &Self::Target {
                &self.router
            }
        }

        impl std::ops::DerefMut for $cluster {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.router
            }
        }
    };
}

fn index(id: u64) -> usize {
    (id - 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy node of a two-node cluster: a start, or a message of `hops` (3 at a start), is written
    /// as a record and, while hops are left, answered to the other node with one hop fewer.
    #[derive(Default)]
    struct Relay {
        id: u64,
    }

    fn relay(node: &mut Relay, line: &str) -> Result<String, String> {
        let input: Value = serde_json::from_str(line).map_err(|error| error.to_string())?;
        if input["kind"] == "hello" {
            return Ok(json!({"kind": "hello"}).to_string());
        }
        if input["kind"] == "start" {
            node.id = input["id"].as_u64().unwrap();
        }
        let hops = input["message"]["hops"].as_u64().unwrap_or(3);
        let messages: Vec<Value> = (hops > 0)
            .then(|| json!({"to": 3 - node.id, "message": {"hops": hops - 1}}))
            .into_iter()
            .collect();
        Ok(
            json!({"records": [{"hops": hops}], "messages": messages, "state": {"hops": hops}})
                .to_string(),
        )
    }

    fn started_pair() -> Router<Relay> {
        let mut router = Router::new(relay);
        for id in 1..=2 {
            assert_eq!(router.add(Relay::default()).0, id);
        }
        for id in 1..=2 {
            router.start(id, &[1, 2], 7, &[], "{}");
        }
        router
    }

    fn hops_written(router: &Router<Relay>, id: u64) -> Vec<u64> {
        router.records[index(id)]
            .iter()
            .map(|record| record["hops"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn delivers_in_send_order_what_the_deliveries_cause_too_and_keeps_every_record() {
        let mut router = started_pair();
        router.deliver_queued(|_, _| true);
        assert!(router.queue.is_empty());
        assert_eq!(hops_written(&router, 1), vec![3, 2, 1, 0]);
        assert_eq!(hops_written(&router, 2), vec![3, 2, 1, 0]);
        assert_eq!(router.state(1), &json!({"hops": 0}));
        // Two hellos, two starts and six deliveries.
        assert_eq!(router.transcript.len(), 10);
    }

    #[test]
    fn loses_the_messages_that_do_not_reach_their_node() {
        let mut router = started_pair();
        router.deliver_queued(|_, to| to != 2);
        assert!(router.queue.is_empty());
        assert_eq!(hops_written(&router, 1), vec![3, 2]);
        assert_eq!(hops_written(&router, 2), vec![3]);
    }

    #[test]
    fn a_start_over_records_makes_them_all_the_node_has_written() {
        let mut router = started_pair();
        router.start(1, &[1, 2], 7, &[json!({"hops": 9})], "{}");
        assert_eq!(hops_written(&router, 1), vec![9, 3]);
    }
}
