// openraft's storage (RaftLogStorage and RaftStateMachine) over the state one node shares with its
// adapter. Every write openraft asks of the log storage is also a durable record for the harness
// (the vote, appended entries, a truncation, a purge, the committed log id), and so is every
// snapshot the state machine builds or installs; a restart rebuilds the log storage from the
// records that survived, and the state machine from the latest snapshot among them (empty without
// one), so that openraft applies the committed entries after it again, as the contract asks. Every
// call completes at once: nothing here waits, so the node's idle points are openraft's own.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Cursor;
use std::ops::RangeBounds;
use std::sync::{Arc, Mutex, MutexGuard};

use openraft::storage::{LogFlushed, LogState, RaftLogStorage, RaftStateMachine, Snapshot, SnapshotMeta};
use openraft::{EntryPayload, OptionalSend, RaftLogReader, RaftSnapshotBuilder, StorageError, StorageIOError, Vote};
use serde_json::Value;

use crate::kv::{KeyValueStore, StoreState};
use crate::network::Mailbox;
use crate::protocol::{Answer, Applied, Record, SnapshotRecord};
use crate::types::{contract_term, Entry, LogId, StoredMembership, TypeConfig};

/// What one node's openraft tasks and its adapter share. One runtime thread touches it, so the
/// lock is never contended; it is a Mutex only because openraft requires Send + Sync.
#[derive(Default)]
pub struct Shared {
    pub vote: Option<Vote<u64>>,
    pub log: BTreeMap<u64, Entry>,
    /// The last entry purged (a snapshot holds it and those before it).
    pub last_purged: Option<LogId>,
    /// The current snapshot: the latest built or installed.
    pub snapshot: Option<SnapshotRecord>,
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
    /// Feature 'snapshots': a snapshot built, and one installed from a leader or restored at start,
    /// since the last output.
    pub snapshot_taken: Option<SnapshotRecord>,
    pub snapshot_installed: Option<SnapshotRecord>,
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
                Record::Snapshot(snapshot) => self.replay_snapshot(snapshot),
                Record::Purge(log_id) => self.purge(log_id),
            }
        }
        Ok(())
    }

    /// A snapshot record makes the snapshot current and drops what openraft drops around it once
    /// it is written (FollowingHandler::install_full_snapshot): the whole log if the log's entry at
    /// the snapshot's index is another, else the entries the snapshot holds. The truncation and
    /// purge records that follow it say the same, but a crash may have lost them.
    fn replay_snapshot(&mut self, snapshot: SnapshotRecord) {
        if let Some(last) = snapshot.meta.last_log_id {
            if self.log.get(&last.index).is_some_and(|entry| entry.log_id != last) {
                self.log.clear();
            }
            self.purge(last);
        }
        self.snapshot = Some(snapshot);
    }

    /// The state machine from the current snapshot (restored at start); empty without one.
    pub fn restore_state_machine(&mut self) {
        let Some(snapshot) = self.snapshot.clone() else { return };
        self.store = KeyValueStore::restored(&snapshot.state);
        self.last_applied = snapshot.meta.last_log_id;
        self.last_membership = snapshot.meta.last_membership.clone();
        // What openraft does with its own committed log id, at start (StorageHelper::
        // get_initial_state) and on installing (FollowingHandler::install_full_snapshot).
        self.committed = self.committed.max(snapshot.meta.last_log_id);
        self.snapshot_installed = Some(snapshot);
    }

    fn purge(&mut self, log_id: LogId) {
        self.log = self.log.split_off(&(log_id.index + 1));
        self.last_purged = self.last_purged.max(Some(log_id));
    }

    /// The latest snapshot's last entry (index 0, term 0 while there is none).
    pub fn snapshot_position(&self) -> (u64, u64) {
        let last = self.snapshot.as_ref().and_then(|snapshot| snapshot.meta.last_log_id);
        last.map_or((0, 0), |log_id| (log_id.index, contract_term(&log_id.leader_id)))
    }

    /// Makes a snapshot current and durable.
    fn keep_snapshot(&mut self, snapshot: SnapshotRecord) {
        self.records.push(Record::Snapshot(snapshot.clone()));
        self.snapshot = Some(snapshot);
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
        let shared = self.shared.lock();
        let last_log_id = shared.log.values().next_back().map(|entry| entry.log_id).or(shared.last_purged);
        Ok(LogState {
            last_purged_log_id: shared.last_purged,
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

    /// openraft purges only entries a snapshot holds, but on installing a leader's snapshot it
    /// purges before its state machine has installed it (FollowingHandler::install_full_snapshot
    /// runs the purge at once and the install on the state machine's task): a purge written then
    /// would survive a crash that loses the snapshot, leaving a log without the entries and no
    /// snapshot holding them (docs/FINDINGS.md, openraft 4). So the purge is written only once a
    /// snapshot covers it; until then it is openraft's in memory only, and the snapshot's record,
    /// which purges the log on replay, carries it.
    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError<u64>> {
        let mut shared = self.shared.lock();
        shared.purge(log_id);
        if shared.snapshot_position().0 >= log_id.index {
            shared.write(Record::Purge(log_id));
        }
        Ok(())
    }
}

/// The state machine: the harness's key-value store, applied entries reported in the output.
pub struct StateMachine {
    pub shared: SharedRef,
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

    /// A leader's snapshot replaces the state machine, and becomes the current snapshot, durable
    /// before openraft answers the leader (it answers once this returns).
    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, openraft::EmptyNode>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError<u64>> {
        let state: StoreState =
            serde_json::from_slice(snapshot.get_ref()).map_err(|error| StorageIOError::read_snapshot(Some(meta.signature()), &error))?;
        let record = SnapshotRecord { meta: meta.clone(), state };
        let mut shared = self.shared.lock();
        shared.keep_snapshot(record);
        shared.restore_state_machine();
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError<u64>> {
        let shared = self.shared.lock();
        shared.snapshot.as_ref().map(snapshot_of).transpose()
    }
}

/// A snapshot record as openraft's snapshot: its metadata and the store as JSON.
fn snapshot_of(record: &SnapshotRecord) -> Result<Snapshot<TypeConfig>, StorageError<u64>> {
    let data = serde_json::to_vec(&record.state).map_err(|error| StorageIOError::read_snapshot(Some(record.meta.signature()), &error))?;
    Ok(Snapshot {
        meta: record.meta.clone(),
        snapshot: Box::new(Cursor::new(data)),
    })
}

pub struct SnapshotBuilder {
    shared: SharedRef,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    /// The state machine as it stands (store and applied log id read together), kept as the
    /// current snapshot and written as a record.
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError<u64>> {
        let mut shared = self.shared.lock();
        let index = shared.last_applied.map_or(0, |log_id| log_id.index);
        let meta = SnapshotMeta {
            last_log_id: shared.last_applied,
            last_membership: shared.last_membership.clone(),
            // Unique within the node: a snapshot of the same index is built at most once per incarnation.
            snapshot_id: format!("{}-{}", index, shared.incarnation),
        };
        let record = SnapshotRecord {
            meta,
            state: shared.store.state(),
        };
        shared.keep_snapshot(record.clone());
        shared.snapshot_taken = Some(record.clone());
        snapshot_of(&record)
    }
}
