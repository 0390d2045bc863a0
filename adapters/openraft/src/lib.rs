// Databend's openraft under raftcheck: one node of the library per process, driven over
// raftcheck's process protocol (docs/PROTOCOL.md) as a time-driven implementation. A session takes
// one JSON input line and gives back exactly one JSON output line; main.rs is only the stdio loop
// around it, and the tests drive sessions directly, three nodes in one process.

#[cfg(not(tokio_unstable))]
compile_error!("build with --cfg tokio_unstable (adapters/openraft/.cargo/config.toml sets it when cargo runs in adapters/openraft; a RUSTFLAGS variable overrides it)");

pub mod network;
pub mod node;
pub mod protocol;
pub mod storage;
pub use raftcheck_rs::{kv, timer};
pub mod types;

use node::Node;
use protocol::{HelloAnswer, Input, Output, PROTOCOL_VERSION};
use raftcheck_rs::protocol::{parse_input, to_line, Greeting};

/// The name the harness reports and puts into the trace hash.
pub const NAME: &str = "openraft";
/// The openraft crate this adapter is built with: Cargo.lock pins it (a test checks the two agree).
pub const OPENRAFT_VERSION: &str = "0.9.25";

/// One process's conversation: hello first, then start, then any other inputs.
#[derive(Default)]
pub struct Session {
    greeting: Greeting,
    node: Option<Node>,
}

impl Session {
    pub fn new() -> Self {
        Session::default()
    }

    /// Takes one input line and returns the answer line (without its newline).
    pub fn handle(&mut self, line: &str) -> Result<String, String> {
        let input: Input = parse_input(line)?;
        if let Some(answer) = self.greeting.answer(&input.kind, input.protocol, hello_answer)? {
            return Ok(answer);
        }
        if input.kind == "start" {
            // Restartable (see hello): a second start is a fresh instance; the old one, runtime
            // and tasks, is dropped whole, as a crash drops it.
            self.node = None;
            let (node, output) = Node::start(&input)?;
            self.node = Some(node);
            return to_line(&output);
        }
        let node = self.node.as_mut().ok_or_else(|| format!("{:?} before start", input.kind))?;
        let mut output = Output::default();
        let kind = input.kind.clone();
        node.step(input, &mut output)
            .map_err(|error| format!("node {}, input {}: {}", node.id(), kind, error))?;
        to_line(&output)
    }
}

/// The optional parts of protocol 2 the adapter wires through (docs/PROTOCOL.md).
pub const FEATURES: [&str; 2] = ["membership", "snapshots"];

/// Version 2 with its features to a harness that speaks it; version 1 otherwise. Time-driven
/// either way.
fn hello_answer(harness_protocol: u32) -> HelloAnswer {
    let protocol = harness_protocol.clamp(1, PROTOCOL_VERSION);
    HelloAnswer {
        protocol,
        name: NAME,
        version: OPENRAFT_VERSION,
        features: (protocol >= 2).then(|| FEATURES.to_vec()),
        restartable: true,
        timing: Some("clock"),
        lease_drift_max: None,
        removed_node_guards: None,
    }
}
