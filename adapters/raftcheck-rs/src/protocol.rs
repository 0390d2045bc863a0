// The JSON shapes of raftcheck's process protocol (docs/PROTOCOL.md) that every Rust adapter
// writes the same way, field for field the types of src/contract/contract.ts: the hello answer,
// commands and administrators' requests, applied entries, answers, and the white-box view. An
// adapter's input (its options), message bodies, durable records and output around them are its
// own (adapters/*/src/protocol.rs). Field order is part of the bytes a trace hashes: keep it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The newest process protocol version these programs speak.
pub const PROTOCOL_VERSION: u32 = 2;

/// The first line a program writes, in answer to the harness's hello.
#[derive(Serialize)]
pub struct HelloAnswer {
    pub protocol: u32,
    pub name: &'static str,
    pub version: &'static str,
    /// Protocol 2 only: the optional parts of the contract wired through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<&'static str>>,
    /// A second start is a fresh instance, so the harness may reuse the process.
    pub restartable: bool,
    /// "clock" for a time-driven program (advances of the local clock instead of ticks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<&'static str>,
    /// Feature 'leaseReads': the clock drift the leases are correct within.
    #[serde(rename = "leaseDriftMax", skip_serializing_if = "Option::is_none")]
    pub lease_drift_max: Option<f64>,
    /// Feature 'membership': the options, any one of which it needs on while a removed node
    /// keeps running.
    #[serde(rename = "removedNodeGuards", skip_serializing_if = "Option::is_none")]
    pub removed_node_guards: Option<Vec<&'static str>>,
}

/// The scenario's implementation options (ImplementationOptions in contract.ts), the ones every
/// adapter reads and those of the optional features, absent (off) unless the scenario sets them
/// and the adapter lists the feature.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    #[serde(default)]
    pub election_ticks_min: u64,
    #[serde(default)]
    pub election_ticks_max: u64,
    #[serde(default)]
    pub heartbeat_ticks: u64,
    #[serde(default)]
    pub entries_per_message_max: u64,
    /// Feature 'snapshots': compact once this many applied entries follow the last snapshot.
    #[serde(default)]
    pub snapshot_entries_threshold: Option<u64>,
    /// Features 'preVote', 'checkQuorum', 'leaseReads': absent is off.
    #[serde(default)]
    pub pre_vote: bool,
    #[serde(default)]
    pub check_quorum: bool,
    #[serde(default)]
    pub lease_reads: bool,
    /// Time-driven programs only: what a tick is worth in local milliseconds.
    #[serde(default)]
    pub tick_ms: u64,
}

/// The first exchange of every session: the harness's hello, answered once and before anything else.
#[derive(Default)]
pub struct Greeting {
    helloed: bool,
}

impl Greeting {
    /// The answer line when `kind` is the session's first input, a hello (`hello` makes the answer
    /// from the harness's protocol version); None once greeted; an error for anything before it.
    pub fn answer(
        &mut self,
        kind: &str,
        protocol: u32,
        hello: impl FnOnce(u32) -> HelloAnswer,
    ) -> Result<Option<String>, String> {
        if self.helloed {
            return Ok(None);
        }
        if kind != "hello" {
            return Err(format!("expected hello first, got {:?}", kind));
        }
        self.helloed = true;
        to_line(&hello(protocol)).map(Some)
    }
}

/// One input line as the adapter's input type; unknown fields are ignored, as the protocol asks.
pub fn parse_input<T: DeserializeOwned>(line: &str) -> Result<T, String> {
    serde_json::from_str(line)
        .map_err(|error| format!("input is not an input: {}: {:.200}", error, line))
}

/// One output as its line (without the newline).
pub fn to_line<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|error| error.to_string())
}

/// A client command. It is also the data of the entry the leader proposes, so its field order
/// fixes the bytes of every entry (the same order as the Go adapters').
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Command {
    pub id: i64,
    pub op: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
}

/// An administrator's leadership transfer (feature 'leadershipTransfer').
#[derive(Deserialize)]
pub struct Transfer {
    pub id: i64,
    pub target: u64,
}

/// An administrator's membership change (feature 'membership'): one step, or several through a
/// joint configuration.
#[derive(Deserialize)]
pub struct Change {
    pub id: i64,
    pub steps: Vec<ChangeStep>,
}

#[derive(Deserialize)]
pub struct ChangeStep {
    pub action: String,
    pub node: u64,
}

#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    pub index: u64,
    pub term: u64,
    pub command_id: i64,
    /// The state machine's answer: a string or null; absent for entries that carry no command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Answer {
    #[serde(rename_all = "camelCase")]
    Accepted {
        command_id: i64,
        index: u64,
        term: u64,
    },
    #[serde(rename_all = "camelCase")]
    NotLeader {
        command_id: i64,
        leader_hint: Option<u64>,
    },
    #[serde(rename_all = "camelCase")]
    Read {
        command_id: i64,
        value: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    TransferAccepted { command_id: i64, term: u64 },
    /// Membership changes and transfers only: one the library refuses, or cannot express.
    #[serde(rename_all = "camelCase")]
    Rejected { command_id: i64, reason: String },
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LogEntryView {
    pub term: u64,
    pub command_id: i64,
}

#[derive(Serialize)]
pub struct LogDelta {
    pub from: u64,
    pub entries: Vec<LogEntryView>,
}

/// The white-box view (StateView in contract.ts), its log as a delta.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateView {
    pub role: &'static str,
    pub term: u64,
    pub voted_for: Option<u64>,
    pub commit_index: u64,
    pub applied_index: u64,
    pub leader_hint: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<LogDelta>,
    /// Feature 'snapshots': the latest snapshot (0 and 0 while there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_term: Option<u64>,
    /// Feature 'membership': sent at start and whenever it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ConfigurationView>,
}

/// The configuration in force and the latest committed (ConfigurationView in contract.ts).
#[derive(Serialize, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationView {
    pub latest: Configuration,
    pub latest_index: u64,
    pub committed: Configuration,
    pub committed_index: u64,
}

/// A cluster configuration as the contract writes it, ids in ascending order.
#[derive(Serialize, Deserialize, Clone, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    pub voters: Vec<u64>,
    pub learners: Vec<u64>,
    pub voters_outgoing: Vec<u64>,
}

/// Feature 'snapshots': a snapshot the node took or installed, in full (SnapshotView in contract.ts).
#[derive(Serialize)]
pub struct SnapshotView {
    pub index: u64,
    pub term: u64,
    pub configuration: Configuration,
    pub data: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(protocol: u32) -> HelloAnswer {
        HelloAnswer {
            protocol,
            name: "test",
            version: "0",
            features: None,
            restartable: true,
            timing: None,
            lease_drift_max: None,
            removed_node_guards: None,
        }
    }

    #[test]
    fn a_session_answers_the_first_hello_once_and_refuses_anything_before_it() {
        let mut greeting = Greeting::default();
        assert_eq!(
            greeting.answer("start", 2, hello),
            Err("expected hello first, got \"start\"".to_owned())
        );
        let answer = greeting.answer("hello", 2, hello).unwrap().unwrap();
        assert_eq!(
            answer,
            r#"{"protocol":2,"name":"test","version":"0","restartable":true}"#
        );
        assert_eq!(greeting.answer("start", 2, hello), Ok(None));
    }

    #[test]
    fn options_the_scenario_leaves_out_read_as_off() {
        let options: Options = parse_input(r#"{"electionTicksMin":10,"electionTicksMax":20,"heartbeatTicks":2,"entriesPerMessageMax":4}"#).unwrap();
        assert_eq!(
            (
                options.election_ticks_max,
                options.snapshot_entries_threshold,
                options.pre_vote,
                options.tick_ms
            ),
            (20, None, false, 0)
        );
    }
}
