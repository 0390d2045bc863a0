// One raft-rs RawNode driven through raftcheck's inputs: the whole adapter but the stdio loop.
// Every input is handled to completion (Ready / advance until nothing is ready) and answered with
// exactly one output, so the output is a pure function of the inputs so far.
//
// What the adapter adds to raft-rs's RawNode:
//   - the election timer (timer.rs), because raft-rs draws its election timeout from
//     rand::thread_rng(); its own timeout is set beyond reach (ELECTION_TICK_NEVER);
//   - storage: a MemStorage rebuilt from the durable records the harness kept, beside the latest
//     snapshot with the state machine's contents (storage.rs), and the compaction policy;
//   - the key-value state machine, reads through raft-rs's ReadIndex, and the white-box view.

use raft::eraftpb::{Entry, Message, MessageType};
use raft::{Config, RawNode, ReadOnlyOption, ReadState, SnapshotStatus, StateRole, NO_LIMIT};
use serde_json::Value;

use crate::kv::{KeyValueStore, StoreState};
use crate::protocol::{
    command_of, configuration_of, decode_message, encode_message, is_conf_change, Answer, Applied, Command, EntryRecord, HardStateRecord,
    Input, LogDelta, LogEntryView, Output, Record, SnapshotOrigin, SnapshotRecord, SnapshotView, StateView,
};
use crate::storage::{rebuild, record_of, snapshot_of, view_of, Store};
use crate::timer::ElectionTimer;

mod leadership;
mod membership;

/// raft-rs's min_election_tick: so large that its own election timeout never fires within a run.
/// max_election_tick is one more, so that the timeout raft-rs draws from thread_rng() in
/// [min, max) is always this one value: the draw happens, its result is fixed.
pub const ELECTION_TICK_NEVER: usize = 1 << 30;
/// Converts entriesPerMessageMax to raft-rs's byte limit max_size_per_msg. As protobuf, a
/// workload set entry is about 56 bytes and a get or del about 40, so with the workload's mix a
/// message carries about entriesPerMessageMax command entries (as in the etcd adapter).
const ENTRY_BYTES_NOMINAL: u64 = 48;
/// The reads a leader holds at once; past it a read is refused and the client retries.
const READS_PENDING_MAX: usize = 1000;
/// raft-rs's max_inflight_msgs, as etcd's server sets its own: the scenarios have no knob for it.
const INFLIGHT_MESSAGES_MAX: usize = 512;
/// Ready rounds one input may cause before the adapter calls it a loop.
const READY_ROUNDS_MAX: usize = 1000;

pub struct Node {
    id: u64,
    raw: RawNode<Store>,
    timer: ElectionTimer,
    store: KeyValueStore,
    applied_index: u64,
    /// Feature 'snapshots': compact once this many applied entries follow the last snapshot.
    snapshot_threshold: Option<u64>,
    snapshot_index: u64,
    snapshot_term: u64,
    /// Followers sent a snapshot in the Ready being handled, reported to raft-rs after advance.
    snapshots_sent: Vec<u64>,
    /// The log after the snapshot as the harness knows it (log[i] is entry snapshot_index + 1 + i),
    /// for the view's delta.
    log: Vec<LogEntryView>,
    /// The lowest index changed since the last view; 0 when nothing changed.
    log_dirty_from: u64,
    /// Read inputs not answered yet, in arrival order.
    reads: Vec<PendingRead>,
    /// Feature 'membership': the index of the configuration in force (its entry's, or the
    /// snapshot's; 0 for the bootstrap one), the latest configuration entry appended, and whether
    /// the view must show the configuration.
    conf_index: u64,
    conf_index_latest: u64,
    configuration_changed: bool,
}

/// A read input. raft-rs drops a ReadIndex request of a leader that has not yet committed an
/// entry of its term, so the adapter holds it until then (as etcd's raft does itself) and hands
/// it over once; raft-rs confirms it with a ReadState (the read index, once a quorum acknowledged
/// a heartbeat), and the adapter answers once that index is applied. raft-rs forgets unconfirmed
/// reads when the node changes term or role: the adapter refuses those then.
struct PendingRead {
    command: Command,
    term: u64,
    submitted: bool,
    confirmed: bool,
    index: u64,
}

type Outcome = Result<(), String>;

impl Node {
    /// Rebuilds a node from the durable records that survived and creates its RawNode.
    pub fn start(input: &Input, logger: &slog::Logger) -> Result<(Node, Output), String> {
        if input.id == 0 {
            return Err("start: node id 0 is not allowed (raft-rs reserves it for none)".into());
        }
        if input.options.heartbeat_ticks < 1 {
            return Err(format!("start: heartbeatTicks {} is below 1", input.options.heartbeat_ticks));
        }
        // The harness's members are the initial configuration, over an empty log: no
        // configuration entries at term 1 that no leader ever replicated.
        let rebuilt = rebuild(&input.members, &input.records)?;
        let config = config_of(input)?;
        let raw = RawNode::new(&config, rebuilt.store, logger).map_err(|error| format!("start: {}", error))?;
        let mut node = Node {
            id: input.id,
            raw,
            timer: ElectionTimer::new(
                input.seed,
                input.id,
                input.options.election_ticks_min,
                input.options.election_ticks_max,
            ),
            store: KeyValueStore::default(),
            applied_index: 0,
            snapshot_threshold: input.options.snapshot_entries_threshold.filter(|threshold| *threshold > 0),
            snapshot_index: 0,
            snapshot_term: 0,
            snapshots_sent: Vec::new(),
            log: rebuilt.log,
            log_dirty_from: 1, // the output of start carries the whole log
            reads: Vec::new(),
            conf_index: 0,
            conf_index_latest: 0,
            configuration_changed: true, // the output of start carries the configuration
        };
        let mut output = Output::default();
        if let Some(snapshot) = &rebuilt.snapshot {
            // Restored at start: applying goes on after it (raft-rs's applied is its index).
            output.snapshot_installed = Some(node.restore(snapshot, false));
        }
        node.drain(&mut output)?;
        Ok((node, output))
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// Handles one input other than hello and start.
    pub fn step(&mut self, input: &Input, output: &mut Output) -> Outcome {
        match input.kind.as_str() {
            "tick" => {
                self.raw.tick(); // heartbeats; raft-rs's own election timeout never fires
                // A learner, a removed node or one that joined and knows no configuration never
                // campaigns (raft-rs's promotable).
                if self.raw.raft.state != StateRole::Leader && self.timer.tick() && self.raw.raft.promotable() {
                    self.raw.campaign().map_err(|error| format!("campaign: {}", error))?;
                }
                self.drain(output)
            }
            "deliver" => self.deliver(input, output),
            "propose" => {
                let command = input.command.as_ref().ok_or("propose without a command")?;
                self.propose(command, output)
            }
            "read" => {
                let command = input.command.as_ref().ok_or("read without a command")?;
                self.read(command, output)
            }
            "changeMembership" => {
                let change = input.change.as_ref().ok_or("changeMembership without a change")?;
                self.change_membership(change, output)
            }
            "transferLeadership" => {
                let transfer = input.transfer.as_ref().ok_or("transferLeadership without a transfer")?;
                self.transfer_leadership(transfer, output)
            }
            other => Err(format!("unknown input kind {:?}", other)),
        }
    }

    fn deliver(&mut self, input: &Input, output: &mut Output) -> Outcome {
        let envelope = input.message.as_ref().ok_or("deliver without a message")?;
        let message = decode_message(envelope).map_err(|error| format!("deliver from {}: {}", input.from, error))?;
        if message.from != input.from || message.to != self.id {
            return Err(format!(
                "deliver: message {:?} from {} to {} handed to {} as from {}",
                message.get_msg_type(),
                message.from,
                message.to,
                self.id,
                input.from
            ));
        }
        let (from, term, kind) = (message.from, message.term, message.get_msg_type());
        // A message raft-rs refuses (a response from a peer it does not know) is dropped, as a
        // real transport would drop it; it is no error of the node's.
        let _ = self.raw.step(message);
        let from_leader = matches!(kind, MessageType::MsgAppend | MessageType::MsgHeartbeat | MessageType::MsgSnapshot);
        if from_leader && self.raw.raft.leader_id == from && self.raw.raft.term == term {
            self.timer.reset(); // heard from the leader of its term
        }
        self.drain(output)
    }

    fn propose(&mut self, command: &Command, output: &mut Output) -> Outcome {
        if self.raw.raft.state != StateRole::Leader {
            output.answers.push(Answer::NotLeader {
                command_id: command.id,
                leader_hint: self.leader_hint(),
            });
            return self.drain(output);
        }
        let data = serde_json::to_vec(command).map_err(|error| error.to_string())?;
        if self.raw.propose(vec![], data).is_err() {
            // raft-rs drops proposals during a leadership transfer (the client should go to the
            // target) and on a leader that removed itself.
            output.answers.push(Answer::NotLeader {
                command_id: command.id,
                leader_hint: self.raw.raft.lead_transferee,
            });
            return self.drain(output);
        }
        // A leader appends a proposal to its log at once (Raft::append_entry): it is the last entry.
        let (index, term) = (self.raw.raft.raft_log.last_index(), self.raw.raft.term);
        output.answers.push(Answer::Accepted {
            command_id: command.id,
            index,
            term,
        });
        self.drain(output)
    }

    /// A linearizable read through raft-rs's ReadIndex (ReadOnlySafe: a round of heartbeats
    /// confirms the leadership); its answer comes with this output or a later one.
    fn read(&mut self, command: &Command, output: &mut Output) -> Outcome {
        if self.raw.raft.state != StateRole::Leader || self.reads.len() >= READS_PENDING_MAX {
            // A follower could forward it (raft-rs would), but the client learns the leader this way.
            output.answers.push(Answer::NotLeader {
                command_id: command.id,
                leader_hint: self.leader_hint(),
            });
            return self.drain(output);
        }
        let term = self.raw.raft.term;
        self.reads.push(PendingRead {
            command: command.clone(),
            term,
            submitted: false,
            confirmed: false,
            index: 0,
        });
        self.drain(output)
    }

    /// Hands waiting reads to raft-rs once this leader has committed an entry of its term.
    fn submit_reads(&mut self) {
        let raft = &self.raw.raft;
        if raft.state != StateRole::Leader || !raft.commit_to_current_term() {
            return;
        }
        let term = raft.term;
        for read in self.reads.iter_mut().filter(|read| !read.submitted && read.term == term) {
            read.submitted = true;
            self.raw.read_index(read_context(read.command.id));
        }
    }

    fn confirm_read(&mut self, state: &ReadState) {
        let found = self
            .reads
            .iter_mut()
            .find(|read| read.submitted && !read.confirmed && read_context(read.command.id) == state.request_ctx);
        if let Some(read) = found {
            read.confirmed = true;
            read.index = state.index;
        }
    }

    /// Answers the reads whose read index is applied, and refuses those raft-rs forgot.
    fn serve_reads(&mut self, output: &mut Output) {
        let (leading, term, hint) = (self.raw.raft.state == StateRole::Leader, self.raw.raft.term, self.leader_hint());
        let mut kept = Vec::with_capacity(self.reads.len());
        for read in self.reads.drain(..) {
            if read.confirmed && self.applied_index >= read.index {
                output.answers.push(Answer::Read {
                    command_id: read.command.id,
                    value: self.store.get(&read.command.key),
                });
            } else if !read.confirmed && (!leading || term != read.term) {
                output.answers.push(Answer::NotLeader {
                    command_id: read.command.id,
                    leader_hint: hint,
                });
            } else {
                kept.push(read);
            }
        }
        self.reads = kept;
    }

    /// Handles every Ready until raft-rs has nothing more, then answers what reads it can.
    fn drain(&mut self, output: &mut Output) -> Outcome {
        for round in 0.. {
            self.submit_reads();
            if !self.raw.has_ready() {
                break;
            }
            if round >= READY_ROUNDS_MAX {
                return Err(format!(
                    "raft-rs kept producing Ready structs (over {} for one input)",
                    READY_ROUNDS_MAX
                ));
            }
            self.handle_ready(output)?;
        }
        self.serve_reads(output);
        // A message may acknowledge records written by an earlier input whose sync is still in
        // flight, so every output that sends asks for the barrier; it costs nothing when all is
        // synced. (It also covers raft-rs's persisted_messages, which must wait for this sync.)
        if !output.messages.is_empty() {
            output.sync = true;
        }
        output.state = Some(self.view());
        Ok(())
    }

    /// One Ready: messages() may leave at once, its entries and HardState become one record,
    /// committed entries are applied, persisted_messages() leave after the sync, and advance()
    /// gives a LightReady (a commit index, more committed entries and messages).
    fn handle_ready(&mut self, output: &mut Output) -> Outcome {
        let mut ready = self.raw.ready();
        self.send(ready.take_messages(), output)?;
        // One record per Ready, its snapshot, entries and HardState together: the harness loses
        // whole records, so none survives a crash without the others.
        let mut record = Record::default();
        if !ready.snapshot().is_empty() {
            let installed = record_of(ready.snapshot(), SnapshotOrigin::Installed)?;
            self.raw.store().keep_snapshot(ready.snapshot(), SnapshotOrigin::Installed)?;
            output.snapshot_installed = Some(self.restore(&installed, true));
            record.snapshot = Some(installed);
        }
        if !ready.entries().is_empty() {
            self.raw
                .store()
                .log
                .wl()
                .append(ready.entries())
                .map_err(|error| error.to_string())?;
            record.entries = ready.entries().iter().map(EntryRecord::of).collect();
            self.mirror_entries(ready.entries())?;
        }
        if let Some(hard_state) = ready.hs() {
            self.raw.store().log.wl().set_hardstate(hard_state.clone());
            record.hard_state = Some(HardStateRecord::of(hard_state));
        }
        if record.snapshot.is_some() || record.hard_state.is_some() || !record.entries.is_empty() {
            output.records.push(record);
        }
        if ready.must_sync() {
            output.sync = true;
        }
        self.apply(ready.take_committed_entries(), output)?;
        for state in ready.take_read_states() {
            self.confirm_read(&state);
        }
        self.send(ready.take_persisted_messages(), output)?;
        let mut light = self.raw.advance(ready);
        if let Some(commit) = light.commit_index() {
            // Only the commit index moved (the leader's own entries became durable): written
            // unsynced, as raft-rs allows.
            self.raw.store().log.wl().mut_hard_state().commit = commit;
            output.records.push(Record {
                hard_state: Some(HardStateRecord::of(&self.raw.raft.hard_state())),
                ..Record::default()
            });
        }
        self.send(light.take_messages(), output)?;
        self.apply(light.take_committed_entries(), output)?;
        self.raw.advance_apply();
        // raft-rs waits for word of a snapshot it sent; the harness delivers or loses it, so say
        // at once that it was sent: a lost one is found by probing, and sent again.
        for to in std::mem::take(&mut self.snapshots_sent) {
            self.raw.report_snapshot(to, SnapshotStatus::Finish);
        }
        self.compact(output)
    }

    /// The compaction policy: once `snapshot_threshold` applied entries follow the last snapshot,
    /// or sooner when a peer needs a snapshot that names it (`Store::snapshot`), take one at the
    /// applied index, if the harness has been shown the entries up to it (entries appended and
    /// applied within this very output are compacted by a later one).
    fn compact(&mut self, output: &mut Output) -> Outcome {
        let Some(threshold) = self.snapshot_threshold else { return Ok(()) };
        let index = self.applied_index;
        let unshown = self.log_dirty_from != 0 && self.log_dirty_from <= index;
        let due = index >= self.snapshot_index + threshold || (index > self.snapshot_index && self.raw.store().fresh_snapshot_wanted());
        // A node that joined and has not yet applied its first configuration entry would write a
        // snapshot without the configuration in force there (in no entry it holds).
        if unshown || !due || self.knows_no_configuration() {
            return Ok(());
        }
        let term = self
            .raw
            .raft
            .raft_log
            .term(index)
            .map_err(|error| format!("compacting at {}: {}", index, error))?;
        let conf_state = self.raw.raft.prs().conf().to_conf_state();
        let state: StoreState = self.store.state();
        let taken = SnapshotRecord {
            origin: SnapshotOrigin::Taken,
            index,
            term,
            configuration: configuration_of(&conf_state),
            auto_leave: conf_state.auto_leave,
            state,
        };
        self.raw.store().keep_snapshot(&snapshot_of(&taken)?, SnapshotOrigin::Taken)?;
        self.log.drain(..(index - self.snapshot_index) as usize);
        self.snapshot_index = index;
        self.snapshot_term = term;
        output.snapshot_taken = Some(snapshot_view(&taken));
        output.records.push(Record {
            snapshot: Some(taken),
            ..Record::default()
        });
        Ok(())
    }

    /// Replaces the state machine with a snapshot's (installed from a leader, or restored at
    /// start over a log already rebuilt). raft-rs installs a snapshot only when its log lacks the
    /// snapshot's last entry, and then discards the whole log: `discard_log`.
    fn restore(&mut self, snapshot: &SnapshotRecord, discard_log: bool) -> SnapshotView {
        self.store = KeyValueStore::restored(&snapshot.state);
        self.applied_index = snapshot.index;
        if discard_log {
            self.log.clear();
        }
        self.snapshot_index = snapshot.index;
        self.snapshot_term = snapshot.term;
        self.log_dirty_from = snapshot.index + 1;
        // raft-rs takes the snapshot's configuration with it (from the storage at start, in
        // Raft::restore when installed).
        self.conf_index = snapshot.index;
        self.conf_index_latest = self.conf_index_latest.max(snapshot.index);
        self.configuration_changed = true;
        snapshot_view(snapshot)
    }

    fn send(&mut self, messages: Vec<Message>, output: &mut Output) -> Outcome {
        for message in messages {
            if message.to == self.id {
                continue; // raft-rs keeps these to itself; be sure
            }
            if message.get_msg_type() == MessageType::MsgRequestVoteResponse && !message.reject {
                self.timer.reset(); // granted a vote
            }
            if message.get_msg_type() == MessageType::MsgSnapshot {
                self.snapshots_sent.push(message.to);
            }
            output.messages.push(encode_message(&message)?);
        }
        Ok(())
    }

    /// Ready entries overwrite the log mirror from their first index on (always after the
    /// snapshot: raft-rs never overwrites committed entries).
    fn mirror_entries(&mut self, entries: &[Entry]) -> Outcome {
        let first = entries[0].index;
        if first <= self.snapshot_index || first > self.snapshot_index + self.log.len() as u64 + 1 {
            return Err(format!(
                "raft-rs wrote entries from {} over a log of {}..{}",
                first,
                self.snapshot_index + 1,
                self.snapshot_index + self.log.len() as u64
            ));
        }
        self.log.truncate((first - 1 - self.snapshot_index) as usize);
        self.log.extend(entries.iter().map(view_of));
        if let Some(entry) = entries.iter().rev().find(|entry| is_conf_change(entry)) {
            self.conf_index_latest = self.conf_index_latest.max(entry.index);
        }
        if self.log_dirty_from == 0 || first < self.log_dirty_from {
            self.log_dirty_from = first;
        }
        Ok(())
    }

    fn apply(&mut self, entries: Vec<Entry>, output: &mut Output) -> Outcome {
        for entry in entries {
            self.applied_index = entry.index;
            let mut applied = Applied {
                index: entry.index,
                term: entry.term,
                command_id: 0,
                result: None,
            };
            if is_conf_change(&entry) {
                applied.command_id = self.apply_conf_change(&entry)?;
            } else if !entry.data.is_empty() {
                let command = command_of(&entry).ok_or_else(|| format!("entry {} holds data that is not a command", entry.index))?;
                applied.command_id = command.id;
                applied.result = Some(self.store.apply(&command).map_or(Value::Null, Value::String));
            }
            output.applied.push(applied);
        }
        Ok(())
    }

    fn leader_hint(&self) -> Option<u64> {
        optional_id(self.raw.raft.leader_id)
    }

    fn view(&mut self) -> StateView {
        let configuration = self.configuration_changed.then(|| self.configuration_view());
        self.configuration_changed = false;
        let raft = &self.raw.raft;
        let log = if self.log_dirty_from == 0 {
            None
        } else {
            let from = self.log_dirty_from;
            self.log_dirty_from = 0;
            Some(LogDelta {
                from,
                entries: self.log[(from - 1 - self.snapshot_index) as usize..].to_vec(),
            })
        };
        StateView {
            role: match raft.state {
                StateRole::Leader => "leader",
                StateRole::Candidate | StateRole::PreCandidate => "candidate",
                StateRole::Follower => "follower",
            },
            term: raft.term,
            voted_for: optional_id(raft.vote),
            commit_index: raft.raft_log.committed,
            applied_index: self.applied_index,
            leader_hint: optional_id(raft.leader_id),
            log,
            // Always, 0 and 0 without a snapshot: a restart whose snapshot record was lost must
            // say so, or the harness keeps anchoring the log at the snapshot it knew.
            snapshot_index: Some(self.snapshot_index),
            snapshot_term: Some(self.snapshot_term),
            configuration,
        }
    }
}

/// raft-rs's Config for a start's id and options. election_tick is what raft-rs's check-quorum,
/// its followers' lease (in_lease) and its transfer deadline count: the scenario's minimum
/// election timeout (raft-rs needs it above heartbeat_tick). Its own elections fire at the
/// randomized timeout drawn in [min_election_tick, max_election_tick), which is out of reach.
fn config_of(input: &Input) -> Result<Config, String> {
    let options = &input.options;
    let heartbeat_ticks = options.heartbeat_ticks as usize;
    let config = Config {
        id: input.id,
        election_tick: (options.election_ticks_min as usize).max(heartbeat_ticks + 1),
        min_election_tick: ELECTION_TICK_NEVER,
        max_election_tick: ELECTION_TICK_NEVER + 1,
        heartbeat_tick: heartbeat_ticks,
        max_size_per_msg: max_size_per_message(options.entries_per_message_max),
        max_inflight_msgs: INFLIGHT_MESSAGES_MAX,
        // Apply everything committed at once: the harness expects applied entries as soon as
        // the commit index covers them. Applied = 0: a restart applies again from index 1.
        max_committed_size_per_ready: NO_LIMIT,
        max_uncommitted_size: NO_LIMIT,
        read_only_option: if options.lease_reads {
            ReadOnlyOption::LeaseBased
        } else {
            ReadOnlyOption::Safe
        },
        // Off unless the scenario switches them on (raft-rs's defaults, and the reference's).
        // raft-rs refuses LeaseBased without check_quorum: its lease is check-quorum's.
        pre_vote: options.pre_vote,
        check_quorum: options.check_quorum || options.lease_reads,
        ..Config::default()
    };
    config.validate().map_err(|error| format!("start: {}", error))?;
    Ok(config)
}

/// Maps "at most n entries per message" to raft-rs's byte limit; raft-rs reads 0 as exactly one
/// entry per message, which makes n = 1 exact; above that the count is approximate.
fn max_size_per_message(entries_max: u64) -> u64 {
    if entries_max <= 1 {
        0
    } else {
        entries_max * ENTRY_BYTES_NOMINAL
    }
}

fn snapshot_view(snapshot: &SnapshotRecord) -> SnapshotView {
    SnapshotView {
        index: snapshot.index,
        term: snapshot.term,
        configuration: snapshot.configuration.clone(),
        data: snapshot.state.data.clone(),
    }
}

/// The request context raft-rs carries for a read: the command id, in decimal.
fn read_context(command_id: i64) -> Vec<u8> {
    command_id.to_string().into_bytes()
}

/// raft-rs's "none" (0) as null.
fn optional_id(id: u64) -> Option<u64> {
    if id == 0 {
        None
    } else {
        Some(id)
    }
}
