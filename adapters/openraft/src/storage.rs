// openraft's storage (RaftLogStorage and RaftStateMachine) over the state one node shares with its
// adapter. Every write openraft asks of the log storage is also a durable record for the harness
// (the vote, appended entries, a truncation, the committed log id); a restart rebuilds the log
// storage from the records that survived, and starts the state machine empty, so that openraft
// applies the committed entries again from the start, as the contract asks. Every call completes
// at once: nothing here waits, so the node's idle points are openraft's own.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Cursor;
use std::ops::RangeBounds;
use std::sync::{Arc, Mutex, MutexGuard};

use openraft::storage::{LogFlushed, LogState, RaftLogStorage, RaftStateMachine, Snapshot, SnapshotMeta};
use openraft::{EntryPayload, OptionalSend, RaftLogReader, RaftSnapshotBuilder, StorageError, StorageIOError, Vote};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kv::{KeyValueStore, StoreState};
use crate::network::Mailbox;
use crate::protocol::{Answer, Applied, Record};
use crate::types::{contract_term, Entry, LogId, StoredMembership, TypeConfig};

/// What one node's openraft tasks and its adapter share. One runtime thread touches it, so the
/// lock is never contended; it is a Mutex only because openraft requires Send + Sync.
#[derive(Default)]
pub struct Shared {
    pub vote: Option<Vote<u64>>,
    pub log: BTreeMap<u64, Entry>,
    pub committed: Option<LogId>,
    pub store: KeyValueStore,
    pub last_applied: Option<LogId>,
    pub last_membership: StoredMembership,
    /// What the input being handled caused, collected for its output.
    pub records: Vec<Record>,
    pub applied: Vec<Applied>,
    /// The lowest log index written or truncated since the last output (for the log view).
    pub log_changed_from: Option<u64>,
    pub answers: Vec<Answer>,
    /// The node heard from a leader (openraft then counts its leader lease), or granted a vote:
    /// its election timer restarts.
    pub leader_heard: bool,
    pub vote_granted: bool,
    /// A vote was refused by a node with a greater log: openraft delays this node's next election.
    pub greater_log_seen: bool,
    /// The highest incarnation the records name (node.rs starts the next one).
    pub incarnation: u64,
    pub mailbox: Mailbox,
}

#[derive(Clone, Default)]
pub struct SharedRef(Arc<Mutex<Shared>>);

impl SharedRef {
    pub fn lock(&self) -> MutexGuard<'_, Shared> {
        // A poisoned lock means a task panicked: the process is going down with that panic anyway.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Shared {
    /// Replays surviving records in write order onto an empty log storage.
    pub fn replay(&mut self, records: &[Value]) -> Result<(), String> {
        for (number, value) in records.iter().enumerate() {
            let record: Record = serde_json::from_value(value.clone())
                .map_err(|error| format!("record {} is not one of this adapter's records: {}", number, error))?;
            match record {
                Record::Vote(vote) => self.vote = Some(vote),
                Record::Entries(entries) => self.append(entries),
                Record::Truncate(index) => self.truncate(index),
                Record::Committed(committed) => self.committed = committed,
                Record::Incarnation(incarnation) => self.incarnation = self.incarnation.max(incarnation),
            }
        }
        Ok(())
    }

    fn append(&mut self, entries: Vec<Entry>) {
        for entry in entries {
            let index = entry.log_id.index;
            self.log_changed_from = Some(self.log_changed_from.map_or(index, |from| from.min(index)));
            self.log.insert(index, entry);
        }
    }

    fn truncate(&mut self, index: u64) {
        self.log.split_off(&index);
        self.log_changed_from = Some(self.log_changed_from.map_or(index, |from| from.min(index)));
    }

    fn write(&mut self, record: Record) {
        self.records.push(record);
    }
}

/// The log storage and its readers: handles on the shared state.
#[derive(Clone)]
pub struct LogStore {
    pub shared: SharedRef,
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError<u64>> {
        Ok(self.shared.lock().log.range(range).map(|(_, entry)| entry.clone()).collect())
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError<u64>> {
        let last_log_id = self.shared.lock().log.values().next_back().map(|entry| entry.log_id);
        // Nothing is ever purged: the adapter does not list snapshots.
        Ok(LogState {
            last_purged_log_id: None,
            last_log_id,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<u64>) -> Result<(), StorageError<u64>> {
        let mut shared = self.shared.lock();
        shared.vote = Some(*vote);
        shared.write(Record::Vote(*vote));
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<u64>>, StorageError<u64>> {
        Ok(self.shared.lock().vote)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError<u64>> {
        let mut shared = self.shared.lock();
        shared.committed = committed;
        shared.write(Record::Committed(committed));
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError<u64>> {
        Ok(self.shared.lock().committed)
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<(), StorageError<u64>>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let entries: Vec<Entry> = entries.into_iter().collect();
        {
            let mut shared = self.shared.lock();
            shared.write(Record::Entries(entries.clone()));
            shared.append(entries);
        }
        // Durable as far as openraft can tell: every output that carries records asks the harness
        // for a sync before its messages leave (node.rs), and a crash loses what was not synced.
        callback.log_io_completed(Ok(()));
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError<u64>> {
        let mut shared = self.shared.lock();
        shared.truncate(log_id.index);
        shared.write(Record::Truncate(log_id.index));
        Ok(())
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError<u64>> {
        // openraft purges only entries a snapshot holds; the adapter never builds one on its own
        // (SnapshotPolicy::Never), so a purge is openraft doing what this adapter does not drive.
        Err(StorageIOError::write_logs(&std::io::Error::other(format!("purge up to {} asked, but the adapter keeps the whole log", log_id))).into())
    }
}

/// The state machine: the harness's key-value store, applied entries reported in the output.
pub struct StateMachine {
    pub shared: SharedRef,
}

/// A snapshot's data: the store and the membership in force at its last entry.
#[derive(Serialize, Deserialize)]
struct SnapshotData {
    state: StoreState,
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError<u64>> {
        let shared = self.shared.lock();
        Ok((shared.last_applied, shared.last_membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Option<String>>, StorageError<u64>>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut shared = self.shared.lock();
        let mut results = Vec::new();
        for entry in entries {
            let (command_id, result) = match &entry.payload {
                EntryPayload::Normal(command) => (command.id, Some(shared.store.apply(command))),
                EntryPayload::Membership(membership) => {
                    shared.last_membership = StoredMembership::new(Some(entry.log_id), membership.clone());
                    (0, None)
                }
                EntryPayload::Blank => (0, None),
            };
            shared.last_applied = Some(entry.log_id);
            // Index 0 is the configuration every node starts from (node.rs), not a harness entry.
            if entry.log_id.index > 0 {
                shared.applied.push(Applied {
                    index: entry.log_id.index,
                    term: contract_term(&entry.log_id.leader_id),
                    command_id,
                    result: result.clone().map(|value| value.map_or(Value::Null, Value::String)),
                });
            }
            results.push(result.flatten());
        }
        Ok(results)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder {
            shared: self.shared.clone(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError<u64>> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, openraft::EmptyNode>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<u64>> {
        let data: SnapshotData = serde_json::from_slice(snapshot.get_ref())
            .map_err(|error| StorageIOError::read_snapshot(Some(meta.signature()), &error))?;
        let mut shared = self.shared.lock();
        shared.store = KeyValueStore::restored(&data.state);
        shared.last_applied = meta.last_log_id;
        shared.last_membership = meta.last_membership.clone();
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError<u64>> {
        Ok(None)
    }
}

pub struct SnapshotBuilder {
    shared: SharedRef,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<u64>> {
        let shared = self.shared.lock();
        let data = serde_json::to_vec(&SnapshotData {
            state: shared.store.state(),
        })
        .map_err(|error| StorageIOError::write_snapshot(None, &error))?;
        let meta = SnapshotMeta {
            last_log_id: shared.last_applied,
            last_membership: shared.last_membership.clone(),
            snapshot_id: format!("{:?}", shared.last_applied.map(|log_id| log_id.index)),
        };
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}
