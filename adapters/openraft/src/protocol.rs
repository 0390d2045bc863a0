// The JSON shapes of raftcheck's process protocol (docs/PROTOCOL.md), field for field the Input
// and Output types of src/contract/contract.ts. Message bodies and durable records are opaque to
// the harness, so their encodings are this adapter's own: a message is one of openraft's RPCs (or
// its answer) as openraft's own serde JSON with the request's number, a record is one write that
// openraft asked its log storage for.

use std::collections::BTreeMap;

use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{LogId, SnapshotMeta, Vote};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kv::StoreState;
use crate::types::{Entry, TypeConfig};

/// The newest process protocol version this program speaks.
pub const PROTOCOL_VERSION: u32 = 2;

/// The first line the program writes, in answer to the harness's hello.
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
    /// Time-driven: advances of the local clock instead of ticks.
    pub timing: &'static str,
}

/// Every input kind in one shape; `kind` says which fields are set. Unknown fields are ignored,
/// as the protocol asks.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    pub kind: String,
    #[serde(default)]
    pub protocol: u32,
    // start
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub members: Vec<u64>,
    /// 32 bits; the harness may send it signed.
    #[serde(default)]
    pub seed: i64,
    #[serde(default)]
    pub records: Vec<Value>,
    /// Read twice: as the timer's Options and as ClockOptions.
    #[serde(default)]
    pub options: Value,
    // advance
    #[serde(default)]
    pub elapsed_ms: u64,
    // deliver
    #[serde(default)]
    pub from: u64,
    pub message: Option<Envelope>,
    // propose, read
    pub command: Option<Command>,
    // changeMembership
    pub change: Option<Change>,
}

/// An administrator's membership change: one step, or several through a joint configuration.
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

/// The scenario's tick counts (ImplementationOptions in contract.ts), as timer.rs reads them.
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
    #[serde(default)]
    pub snapshot_entries_threshold: Option<u64>,
}

/// What a tick is worth in local milliseconds (`options.tickMs`, sent to time-driven programs).
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct ClockOptions {
    #[serde(default)]
    pub tick_ms: u64,
}

/// A client command. It is also the data of the entry the leader appends.
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

/// A message as the harness carries it: its label, the sender's term, and the body.
#[derive(Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub label: String,
    pub term: u64,
    pub body: Body,
    /// The message in Raft's common vocabulary (MessageView in contract.ts), for the harness's
    /// promise checks; never read back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<Value>,
}

/// openraft's RPCs are calls that return an answer; over the harness's one-way messages a call is
/// a request numbered by its sender and an answer carrying the same number back.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Body {
    AppendEntries {
        request: u64,
        rpc: AppendEntriesRequest<TypeConfig>,
    },
    AppendEntriesResponse {
        request: u64,
        rpc: AppendEntriesResponse<u64>,
    },
    Vote {
        request: u64,
        rpc: VoteRequest<u64>,
    },
    VoteResponse {
        request: u64,
        rpc: VoteResponse<u64>,
    },
    InstallSnapshot {
        request: u64,
        rpc: InstallSnapshotRequest<TypeConfig>,
    },
    InstallSnapshotResponse {
        request: u64,
        rpc: InstallSnapshotResponse<u64>,
    },
}

impl Body {
    pub fn label(&self) -> &'static str {
        match self {
            Body::AppendEntries { .. } => "AppendEntries",
            Body::AppendEntriesResponse { .. } => "AppendEntriesResponse",
            Body::Vote { .. } => "Vote",
            Body::VoteResponse { .. } => "VoteResponse",
            Body::InstallSnapshot { .. } => "InstallSnapshot",
            Body::InstallSnapshotResponse { .. } => "InstallSnapshotResponse",
        }
    }
}

#[derive(Serialize)]
pub struct Outbound {
    pub to: u64,
    pub message: Envelope,
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
    Accepted { command_id: i64, index: u64, term: u64 },
    #[serde(rename_all = "camelCase")]
    NotLeader { command_id: i64, leader_hint: Option<u64> },
    #[serde(rename_all = "camelCase")]
    Read { command_id: i64, value: Option<String> },
    /// Membership changes only: a change openraft refuses, or one it cannot express.
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
#[derive(Serialize, Clone, Default, PartialEq)]
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

/// The answer to one input.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub messages: Vec<Outbound>,
    pub records: Vec<Record>,
    pub sync: bool,
    pub applied: Vec<Applied>,
    pub answers: Vec<Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateView>,
    /// Always null: the adapter cannot see tokio's next timer, so the harness advances it at
    /// every tick (docs/CONTRACT.md: leaving the field out means the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wake_after_ms: Option<u64>,
    #[serde(rename = "snapshotInstalled", skip_serializing_if = "Option::is_none")]
    pub snapshot_installed: Option<SnapshotView>,
    #[serde(rename = "snapshotTaken", skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<SnapshotView>,
}

/// One durable record: one write openraft asked of its log storage, replayed in order on start.
#[derive(Serialize, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub enum Record {
    /// save_vote: the vote replaces the previous one.
    Vote(Vote<u64>),
    /// append: the entries follow the log's last entry (openraft truncates first when needed).
    Entries(Vec<Entry>),
    /// truncate: every entry from this index on is gone.
    Truncate(u64),
    /// save_committed: the committed log id openraft restores on start.
    Committed(Option<LogId<u64>>),
    /// A start: the incarnation it began (network.rs numbers requests with it).
    Incarnation(u64),
    /// A snapshot the state machine built or installed: it becomes the current snapshot, and a
    /// start restores the state machine from the latest one.
    Snapshot(SnapshotRecord),
    /// purge: every entry up to this log id is gone (a snapshot holds them).
    Purge(LogId<u64>),
}

/// A snapshot as a record and as the data a snapshot message carries: openraft's metadata and the
/// key-value store with its client sessions.
#[derive(Serialize, Deserialize, Clone)]
pub struct SnapshotRecord {
    pub meta: SnapshotMeta<u64, openraft::EmptyNode>,
    pub state: StoreState,
}
