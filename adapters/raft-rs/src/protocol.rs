// The JSON shapes of raftcheck's process protocol (docs/PROTOCOL.md), field for field the Input
// and Output types of src/contract/contract.ts: the shapes every Rust adapter writes alike come
// from adapters/raftcheck-rs, and these are raft-rs's own. Message bodies and durable records are
// opaque to the harness, so their encodings below are this adapter's own choice: a message is
// raft-rs's eraftpb::Message as protobuf bytes in base64, a record is what one Ready asks to persist.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use protobuf::Message as _;

use raft::eraftpb::{ConfChangeV2, ConfState, Entry, EntryType, HardState, Message, MessageType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kv::StoreState;
pub use raftcheck_rs::protocol::{
    Answer, Applied, Change, ChangeStep, Command, Configuration, ConfigurationView, HelloAnswer, LogDelta, LogEntryView, Options,
    SnapshotView, StateView, Transfer, PROTOCOL_VERSION,
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
    // deliver
    #[serde(default)]
    pub from: u64,
    pub message: Option<Envelope>,
    // propose, read
    pub command: Option<Command>,
    // transferLeadership
    pub transfer: Option<Transfer>,
    // changeMembership
    pub change: Option<Change>,
}

/// A message as the harness carries it: raft-rs's type name, the sender's term, the body, and the
/// decoded view (for the harness only: a delivered message's view is not read back).
#[derive(Serialize, Deserialize, Clone)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub label: String,
    pub term: u64,
    pub body: String,
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub view: Option<MessageView>,
}

/// A message in Raft's common vocabulary (MessageView in contract.ts, docs/CONTRACT.md "Message
/// views"), from which the harness's durability probes read the promises a node makes.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MessageView {
    #[serde(rename_all = "camelCase")]
    VoteRequest {
        term: u64,
        candidate: u64,
        last_index: u64,
        last_term: u64,
        #[serde(skip_serializing_if = "is_false")]
        pre_vote: bool,
    },
    #[serde(rename_all = "camelCase")]
    VoteResponse {
        term: u64,
        granted: bool,
        #[serde(skip_serializing_if = "is_false")]
        pre_vote: bool,
    },
    #[serde(rename_all = "camelCase")]
    Append {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: usize,
        commit: u64,
        entry_ids: Vec<i64>,
    },
    #[serde(rename_all = "camelCase")]
    AppendResponse {
        term: u64,
        success: bool,
        match_index: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        reject_hint: Option<u64>,
    },
    #[serde(rename_all = "camelCase")]
    Snapshot {
        term: u64,
        index: u64,
        snapshot_term: u64,
    },
    TimeoutNow {
        term: u64,
    },
    Heartbeat {
        term: u64,
        commit: u64,
    },
    HeartbeatResponse {
        term: u64,
    },
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The view of a raft-rs message; None for the messages the contract has no word for (forwarded
/// proposals, reads and transfers, which this adapter never sends).
pub fn view_of_message(message: &Message) -> Option<MessageView> {
    let term = message.term;
    Some(match message.get_msg_type() {
        MessageType::MsgRequestVote | MessageType::MsgRequestPreVote => MessageView::VoteRequest {
            term,
            candidate: message.from,
            last_index: message.index,
            last_term: message.log_term,
            pre_vote: message.get_msg_type() == MessageType::MsgRequestPreVote,
        },
        MessageType::MsgRequestVoteResponse | MessageType::MsgRequestPreVoteResponse => MessageView::VoteResponse {
            term,
            granted: !message.reject,
            pre_vote: message.get_msg_type() == MessageType::MsgRequestPreVoteResponse,
        },
        MessageType::MsgAppend => MessageView::Append {
            term,
            prev_index: message.index,
            prev_term: message.log_term,
            entries: message.entries.len(),
            commit: message.commit,
            entry_ids: message.entries.iter().map(command_id_of).collect(),
        },
        // raft-rs's index on success is the last index the follower holds in agreement with the
        // leader (or its commit index, for an append that starts inside it): its promise.
        MessageType::MsgAppendResponse => MessageView::AppendResponse {
            term,
            success: !message.reject,
            match_index: if message.reject { 0 } else { message.index },
            reject_hint: message.reject.then_some(message.reject_hint),
        },
        MessageType::MsgSnapshot => {
            let metadata = message.get_snapshot().get_metadata();
            MessageView::Snapshot {
                term,
                index: metadata.index,
                snapshot_term: metadata.term,
            }
        }
        MessageType::MsgTimeoutNow => MessageView::TimeoutNow { term },
        MessageType::MsgHeartbeat => MessageView::Heartbeat {
            term,
            commit: message.commit,
        },
        MessageType::MsgHeartbeatResponse => MessageView::HeartbeatResponse { term },
        _ => return None,
    })
}

#[derive(Serialize)]
pub struct Outbound {
    pub to: u64,
    pub message: Envelope,
}

/// raft-rs's configuration in the contract's terms, ids in ascending order.
pub fn configuration_of(conf_state: &ConfState) -> Configuration {
    let sorted = |ids: &[u64]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    Configuration {
        voters: sorted(&conf_state.voters),
        learners: sorted(&conf_state.learners),
        voters_outgoing: sorted(&conf_state.voters_outgoing),
    }
}

/// A configuration as raft-rs's ConfState.
pub fn conf_state_of(configuration: &Configuration) -> ConfState {
    let mut conf_state = ConfState::default();
    conf_state.voters = configuration.voters.clone();
    conf_state.learners = configuration.learners.clone();
    conf_state.voters_outgoing = configuration.voters_outgoing.clone();
    conf_state
}

/// The answer to one input.
#[derive(Serialize, Default)]
pub struct Output {
    pub messages: Vec<Outbound>,
    pub records: Vec<Record>,
    pub sync: bool,
    pub applied: Vec<Applied>,
    pub answers: Vec<Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateView>,
    #[serde(rename = "snapshotInstalled", skip_serializing_if = "Option::is_none")]
    pub snapshot_installed: Option<SnapshotView>,
    #[serde(rename = "snapshotTaken", skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<SnapshotView>,
}

/// One durable record: what one Ready (or the commit index a LightReady moved) asks to persist. Its
/// entries overwrite the log from their first index on; its HardState replaces the last one.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// A snapshot comes first in a record: the node installs it before the entries that follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard_state: Option<HardStateRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<EntryRecord>,
}

/// A snapshot in a record. `taken`: the node compacted its own log up to `index` (the entries
/// after it stay); `installed`: it replaced its whole log with a leader's snapshot.
#[derive(Serialize, Deserialize, Clone)]
pub struct SnapshotRecord {
    pub origin: SnapshotOrigin,
    pub index: u64,
    pub term: u64,
    pub configuration: Configuration,
    /// A joint configuration raft-rs leaves on its own (ConfState.auto_leave).
    #[serde(default, rename = "autoLeave", skip_serializing_if = "is_false")]
    pub auto_leave: bool,
    pub state: StoreState,
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Debug)]
#[serde(rename_all = "camelCase")]
pub enum SnapshotOrigin {
    Taken,
    Installed,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
pub struct HardStateRecord {
    pub term: u64,
    pub vote: u64,
    pub commit: u64,
}

impl HardStateRecord {
    pub fn of(hard_state: &HardState) -> Self {
        HardStateRecord {
            term: hard_state.term,
            vote: hard_state.vote,
            commit: hard_state.commit,
        }
    }

    pub fn to_hard_state(self) -> HardState {
        let mut hard_state = HardState::default();
        hard_state.term = self.term;
        hard_state.vote = self.vote;
        hard_state.commit = self.commit;
        hard_state
    }
}

/// An entry in a record. Its data stays a JSON string when it is UTF-8 (commands are JSON, so
/// traces stay readable) and is base64 otherwise; either way it round-trips byte for byte.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryRecord {
    pub index: u64,
    pub term: u64,
    /// eraftpb::EntryType; 0 (EntryNormal) is left out.
    #[serde(default, rename = "type", skip_serializing_if = "is_zero")]
    pub entry_type: i32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub data_base64: String,
}

fn is_zero(value: &i32) -> bool {
    *value == 0
}

impl EntryRecord {
    pub fn of(entry: &Entry) -> Self {
        let (data, data_base64) = match std::str::from_utf8(&entry.data) {
            Ok(text) => (text.to_owned(), String::new()),
            Err(_) => (String::new(), BASE64.encode(&entry.data)),
        };
        EntryRecord {
            index: entry.index,
            term: entry.term,
            entry_type: entry.get_entry_type() as i32,
            data,
            data_base64,
        }
    }

    pub fn to_entry(&self) -> Result<Entry, String> {
        let mut entry = Entry::default();
        entry.index = self.index;
        entry.term = self.term;
        let entry_type = match self.entry_type {
            0 => EntryType::EntryNormal,
            1 => EntryType::EntryConfChange,
            2 => EntryType::EntryConfChangeV2,
            other => return Err(format!("entry {}: unknown entry type {}", self.index, other)),
        };
        entry.set_entry_type(entry_type);
        entry.data = if self.data_base64.is_empty() {
            self.data.clone().into_bytes().into()
        } else {
            BASE64
                .decode(&self.data_base64)
                .map_err(|error| format!("entry {}: bad dataBase64: {}", self.index, error))?
                .into()
        };
        Ok(entry)
    }
}

/// The envelope of a raft-rs message. rust-protobuf writes fields in field-number order, so the
/// bytes are a pure function of the message.
pub fn encode_message(message: &Message) -> Result<Outbound, String> {
    let bytes = message
        .write_to_bytes()
        .map_err(|error| format!("encoding a {:?}: {}", message.get_msg_type(), error))?;
    Ok(Outbound {
        to: message.to,
        message: Envelope {
            label: format!("{:?}", message.get_msg_type()),
            term: message.term,
            body: BASE64.encode(bytes),
            view: view_of_message(message),
        },
    })
}

pub fn decode_message(envelope: &Envelope) -> Result<Message, String> {
    let bytes = BASE64
        .decode(&envelope.body)
        .map_err(|error| format!("message body is not base64: {}", error))?;
    Message::parse_from_bytes(&bytes).map_err(|error| format!("message body is not an eraftpb::Message: {}", error))
}

/// The id an entry is known by in views and `applied`: its command's or its membership change's,
/// 0 for raft-rs's own entries (a new leader's empty entry, the entry that leaves a joint
/// configuration).
pub fn command_id_of(entry: &Entry) -> i64 {
    if is_conf_change(entry) {
        return conf_change_of(entry).map_or(0, |(_, context)| context.id);
    }
    command_of(entry).map_or(0, |command| command.id)
}

pub fn is_conf_change(entry: &Entry) -> bool {
    matches!(entry.get_entry_type(), EntryType::EntryConfChange | EntryType::EntryConfChangeV2)
}

/// A ConfChangeV2's context: the change's id (0 for raft-rs's own leave-joint entry, which has
/// none) and the configuration it was proposed over, for a joining node that knows none.
#[derive(Serialize, Deserialize, Default)]
pub struct ChangeContext {
    pub id: i64,
    pub voters: Vec<u64>,
    pub learners: Vec<u64>,
}

/// Decodes a configuration entry. The adapter proposes ConfChangeV2 only; raft-rs's own
/// leave-joint entry is a ConfChangeV2 with no data at all.
pub fn conf_change_of(entry: &Entry) -> Result<(ConfChangeV2, ChangeContext), String> {
    if entry.get_entry_type() != EntryType::EntryConfChangeV2 {
        return Err(format!(
            "entry {}: a ConfChange (version 1), which this adapter never proposes",
            entry.index
        ));
    }
    let change =
        ConfChangeV2::parse_from_bytes(&entry.data).map_err(|error| format!("entry {}: not a ConfChangeV2: {}", entry.index, error))?;
    let context = if change.context.is_empty() {
        ChangeContext::default()
    } else {
        serde_json::from_slice(&change.context).map_err(|error| {
            format!(
                "entry {}: a configuration change whose context is not the adapter's: {}",
                entry.index, error
            )
        })?
    };
    Ok((change, context))
}

/// The command an entry carries, if any: none for raft-rs's own entries (a new leader's empty
/// entry).
pub fn command_of(entry: &Entry) -> Option<Command> {
    if entry.get_entry_type() != EntryType::EntryNormal || entry.data.is_empty() {
        return None;
    }
    serde_json::from_slice(&entry.data).ok()
}
