// raft-rs (TiKV's raft crate) under raftcheck: one node of the library per process, driven over
// raftcheck's process protocol (docs/PROTOCOL.md). A session takes one JSON input line and gives
// back exactly one JSON output line; main.rs is only the stdio loop around it, and the tests drive
// sessions directly, three nodes in one process.

pub mod node;
pub mod protocol;
pub mod storage;
pub use raftcheck_rs::{kv, timer};

use std::fmt::Write as _;

use node::Node;
use protocol::{HelloAnswer, Input, Output, PROTOCOL_VERSION};
use raftcheck_rs::protocol::{parse_input, to_line, Greeting};

/// The name the harness reports and puts into the trace hash.
pub const NAME: &str = "raft-rs";
/// The raft crate this adapter is built with: Cargo.lock pins it (a test checks the two agree).
pub const RAFT_VERSION: &str = "0.7.0";

/// One process's conversation: hello first, then start, then any other inputs.
pub struct Session {
    logger: slog::Logger,
    greeting: Greeting,
    node: Option<Node>,
}

impl Session {
    pub fn new(logger: slog::Logger) -> Self {
        Session {
            logger,
            greeting: Greeting::default(),
            node: None,
        }
    }

    /// Takes one input line and returns the answer line (without its newline).
    pub fn handle(&mut self, line: &str) -> Result<String, String> {
        let input: Input = parse_input(line)?;
        if let Some(answer) = self.greeting.answer(&input.kind, input.protocol, hello_answer)? {
            return Ok(answer);
        }
        if input.kind == "start" {
            // Restartable (see hello): a second start is a fresh instance; the old one is dropped
            // whole, as a crash drops it.
            self.node = None;
            let (node, output) = Node::start(&input, &self.logger)?;
            self.node = Some(node);
            return to_line(&output);
        }
        let node = self.node.as_mut().ok_or_else(|| format!("{:?} before start", input.kind))?;
        let mut output = Output::default();
        node.step(&input, &mut output)
            .map_err(|error| format!("node {}, input {}: {}", node.id(), input.kind, error))?;
        to_line(&output)
    }
}

/// The optional parts of protocol 2 this adapter wires through, as hello lists them.
pub const FEATURES: [&str; 6] = [
    "membership",
    "snapshots",
    "preVote",
    "checkQuorum",
    "leadershipTransfer",
    "leaseReads",
];

/// The clock drift raft-rs's lease reads are declared correct within. raft-rs names no number for
/// ReadOnlyOption::LeaseBased, only that the drift be bounded ("It can be affected by clock drift.
/// If the clock drift is unbounded, leader might keep the lease longer than it should"): the
/// adapter declares the reference's bound, as the etcd adapter does for the same design.
pub const LEASE_DRIFT_MAX: f64 = 0.1;

/// The options, any one of which raft-rs needs on to stay live while a removed node keeps running:
/// only check-quorum. `Raft::step` ignores a higher-term vote request within the lease (`in_lease`)
/// only with `check_quorum` on, and its comment there names this case: "if another peer is removed
/// from the cluster it may try to hold elections and disrupt stability" (docs/FINDINGS.md).
pub const REMOVED_NODE_GUARDS: [&str; 1] = ["checkQuorum"];

/// Version 2, with the optional features wired through, to a harness that speaks it; version 1
/// otherwise.
fn hello_answer(harness_protocol: u32) -> HelloAnswer {
    let protocol = harness_protocol.clamp(1, PROTOCOL_VERSION);
    HelloAnswer {
        protocol,
        name: NAME,
        version: RAFT_VERSION,
        features: (protocol >= 2).then(|| FEATURES.to_vec()),
        restartable: true,
        timing: None,
        lease_drift_max: (protocol >= 2).then_some(LEASE_DRIFT_MAX),
        removed_node_guards: (protocol >= 2).then(|| REMOVED_NODE_GUARDS.to_vec()),
    }
}

/// raft-rs's log lines on stderr, at `level` and above (the harness shows the tail of a failing
/// program's stderr; stdout carries only protocol lines).
pub fn stderr_logger(level: slog::Level) -> slog::Logger {
    slog::Logger::root(StderrDrain { level }, slog::o!())
}

struct StderrDrain {
    level: slog::Level,
}

impl slog::Drain for StderrDrain {
    type Ok = ();
    type Err = slog::Never;

    fn log(&self, record: &slog::Record, _values: &slog::OwnedKVList) -> Result<(), slog::Never> {
        if record.level().is_at_least(self.level) {
            let mut line = format!("raft-rs {} {}", record.level().as_short_str(), record.msg());
            let _ = slog::KV::serialize(&record.kv(), record, &mut KeyValueLine(&mut line));
            eprintln!("{}", line);
        }
        Ok(())
    }
}

struct KeyValueLine<'a>(&'a mut String);

impl slog::Serializer for KeyValueLine<'_> {
    fn emit_arguments(&mut self, key: slog::Key, value: &std::fmt::Arguments) -> slog::Result {
        let _ = write!(self.0, ", {}: {}", key, value);
        Ok(())
    }
}
