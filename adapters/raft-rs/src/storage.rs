// The node's storage, rebuilt from the durable records the harness kept: raft-rs's MemStorage for
// the log and the HardState, beside the latest snapshot with the state machine's contents, which
// MemStorage's own snapshot() cannot give (it builds snapshots without data). raft-rs asks for a
// snapshot when a follower needs entries the node has compacted; this one answers with the latest,
// or asks for a fresh one when the latest predates the follower (`Store::snapshot`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use raft::eraftpb::{ConfState, Entry, HardState, Snapshot};
use raft::storage::MemStorage;
use raft::{GetEntriesContext, RaftState, Storage, StorageError};
use serde_json::Value;

use crate::protocol::{command_id_of, conf_state_of, configuration_of, EntryRecord, LogEntryView, Record, SnapshotOrigin, SnapshotRecord};

#[derive(Clone)]
pub struct Store {
    pub log: MemStorage,
    snapshot: Arc<RwLock<Snapshot>>,
    /// raft-rs asked for a snapshot for a peer that the latest one's configuration lacks: the
    /// compaction policy takes a fresh one at once (`Node::compact`), and the next ask gets it.
    fresh_snapshot_wanted: Arc<AtomicBool>,
}

impl Store {
    /// Keeps `snapshot` as the one to send, and folds it into the log: taken, the entries up to
    /// its index are dropped (MemStorage keeps the one at the index, whose term it needs); installed,
    /// the whole log is replaced by it.
    pub fn keep_snapshot(&self, snapshot: &Snapshot, origin: SnapshotOrigin) -> Result<(), String> {
        match origin {
            SnapshotOrigin::Taken => self.log.wl().compact(snapshot.get_metadata().index),
            SnapshotOrigin::Installed => self.log.wl().apply_snapshot(snapshot.clone()),
        }
        .map_err(|error| error.to_string())?;
        *self.snapshot.write().unwrap() = snapshot.clone();
        self.fresh_snapshot_wanted.store(false, Ordering::Relaxed);
        Ok(())
    }

    pub fn fresh_snapshot_wanted(&self) -> bool {
        self.fresh_snapshot_wanted.load(Ordering::Relaxed)
    }
}

impl Storage for Store {
    fn initial_state(&self) -> raft::Result<RaftState> {
        self.log.initial_state()
    }

    fn entries(&self, low: u64, high: u64, max_size: impl Into<Option<u64>>, context: GetEntriesContext) -> raft::Result<Vec<Entry>> {
        self.log.entries(low, high, max_size, context)
    }

    fn term(&self, index: u64) -> raft::Result<u64> {
        self.log.term(index)
    }

    fn first_index(&self) -> raft::Result<u64> {
        self.log.first_index()
    }

    fn last_index(&self) -> raft::Result<u64> {
        self.log.last_index()
    }

    /// The latest snapshot, unless it is older than `request_index` or its configuration lacks
    /// `to`: raft-rs's `Raft::restore` refuses a snapshot that does not name its recipient ("This
    /// shouldn't ever happen"), so a peer added after the latest snapshot would be sent it again
    /// and again (and, in a configuration that needs that peer, nothing would ever commit: raft-rs
    /// swarm seed 161). Then, as `Storage::snapshot` allows, "temporarily unavailable" while the
    /// node takes a fresh one at its applied index, where the peer's addition is applied.
    fn snapshot(&self, request_index: u64, to: u64) -> raft::Result<Snapshot> {
        let snapshot = self.snapshot.read().unwrap().clone();
        let metadata = snapshot.get_metadata();
        if metadata.index == 0 || metadata.index < request_index {
            return Err(raft::Error::Store(StorageError::SnapshotTemporarilyUnavailable));
        }
        let names = |conf_state: &ConfState| {
            let mut members = conf_state
                .get_voters()
                .iter()
                .chain(conf_state.get_learners())
                .chain(conf_state.get_voters_outgoing());
            members.any(|&id| id == to)
        };
        if !names(metadata.get_conf_state()) {
            self.fresh_snapshot_wanted.store(true, Ordering::Relaxed);
            return Err(raft::Error::Store(StorageError::SnapshotTemporarilyUnavailable));
        }
        Ok(snapshot)
    }
}

/// What a start rebuilds: the storage, the log as the view shows it (the entries after the
/// snapshot), and the snapshot to restore the state machine from.
pub struct Rebuilt {
    pub store: Store,
    pub log: Vec<LogEntryView>,
    pub snapshot: Option<SnapshotRecord>,
}

/// Replays the records in order: entries overwrite the log from their first index on, a HardState
/// replaces the last one, a snapshot compacts the log (taken) or replaces it (installed).
pub fn rebuild(members: &[u64], records: &[Value]) -> Result<Rebuilt, String> {
    let mut snapshot: Option<SnapshotRecord> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut hard_state: Option<HardState> = None;
    for (position, raw) in records.iter().enumerate() {
        let record: Record = serde_json::from_value(raw.clone()).map_err(|error| format!("start: record {}: {}", position, error))?;
        if let Some(taken) = record.snapshot {
            match taken.origin {
                SnapshotOrigin::Taken => entries.retain(|entry| entry.index > taken.index),
                SnapshotOrigin::Installed => entries.clear(),
            }
            snapshot = Some(taken);
        }
        if !record.entries.is_empty() {
            let written = record.entries.iter().map(EntryRecord::to_entry).collect::<Result<Vec<_>, _>>()?;
            let snapshot_index = snapshot.as_ref().map_or(0, |snapshot| snapshot.index);
            let last = entries.last().map_or(snapshot_index, |entry| entry.index);
            let first = written[0].index;
            if first <= snapshot_index || first > last + 1 {
                return Err(format!(
                    "start: record {}: entries start at {}, outside the log {}..{}",
                    position,
                    first,
                    snapshot_index + 1,
                    last + 1
                ));
            }
            entries.retain(|entry| entry.index < first);
            entries.extend(written);
        }
        if let Some(written) = record.hard_state {
            hard_state = Some(written.to_hard_state());
        }
    }
    let store = Store {
        log: MemStorage::new_with_conf_state(ConfState::from((members.to_vec(), vec![]))),
        snapshot: Arc::default(),
        fresh_snapshot_wanted: Arc::default(),
    };
    if let Some(snapshot) = &snapshot {
        store.keep_snapshot(&snapshot_of(snapshot)?, SnapshotOrigin::Installed)?;
    }
    store.log.wl().append(&entries).map_err(|error| error.to_string())?;
    if let Some(mut hard_state) = hard_state {
        // A snapshot's index is committed: the HardState written before it may say less.
        hard_state.commit = hard_state.commit.max(snapshot.as_ref().map_or(0, |snapshot| snapshot.index));
        store.log.wl().set_hardstate(hard_state);
    }
    let log = entries.iter().map(view_of).collect();
    Ok(Rebuilt { store, log, snapshot })
}

/// An entry as the view shows it.
pub fn view_of(entry: &Entry) -> LogEntryView {
    LogEntryView {
        term: entry.term,
        command_id: command_id_of(entry),
    }
}

/// raft-rs's snapshot of a record: the state machine's contents and sessions as JSON in its data.
pub fn snapshot_of(record: &SnapshotRecord) -> Result<Snapshot, String> {
    let mut snapshot = Snapshot::default();
    snapshot.data = serde_json::to_vec(&record.state).map_err(|error| error.to_string())?.into();
    let metadata = snapshot.mut_metadata();
    metadata.index = record.index;
    metadata.term = record.term;
    let mut conf_state = conf_state_of(&record.configuration);
    conf_state.auto_leave = record.auto_leave;
    metadata.set_conf_state(conf_state);
    Ok(snapshot)
}

/// The record of raft-rs's snapshot (one this adapter made: its data is a StoreState).
pub fn record_of(snapshot: &Snapshot, origin: SnapshotOrigin) -> Result<SnapshotRecord, String> {
    let metadata = snapshot.get_metadata();
    let state = serde_json::from_slice(&snapshot.data)
        .map_err(|error| format!("snapshot {} holds data that is not a state machine: {}", metadata.index, error))?;
    Ok(SnapshotRecord {
        origin,
        index: metadata.index,
        term: metadata.term,
        configuration: configuration_of(metadata.get_conf_state()),
        auto_leave: metadata.get_conf_state().auto_leave,
        state,
    })
}
