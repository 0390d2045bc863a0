// The JSON shapes of raftcheck's process protocol (docs/PROTOCOL.md), field for field the Input
// and Output types of src/contract/contract.ts: the shapes every Rust adapter writes alike come
// from adapters/raftcheck-rs, and these are openraft's own. Message bodies and durable records are opaque to
// the harness, so their encodings are this adapter's own: a message is one of openraft's RPCs (or
// its answer) as openraft's own serde JSON with the request's number, a record is one write that
// openraft asked its log storage for.

use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{LogId, SnapshotMeta, Vote};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kv::StoreState;
use crate::types::{Entry, TypeConfig};
pub use raftcheck_rs::protocol::{
    Answer, Applied, Change, ChangeStep, Command, Configuration, ConfigurationView, HelloAnswer, LogDelta, LogEntryView, Options,
    SnapshotView, StateView, PROTOCOL_VERSION,
};

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
    #[serde(default)]
    pub options: Options,
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
