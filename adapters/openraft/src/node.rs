// One openraft node in virtual time. The node runs on its own tokio current-thread runtime whose
// clock is paused: time moves only when the adapter moves it (an `advance` input), and every other
// input runs the node's tasks until all of them wait, without time passing. Elections come from the
// adapter's seeded timer (timer.rs, shared with raft-rs), not from openraft's, whose timeout is
// drawn from an OS-seeded RNG: `enable_elect` is off and the timer calls `trigger().elect()`.
//
// How "until all of them wait" is seen: the runtime counts every task poll (on_before_task_poll);
// the adapter's own future yields, which lets the scheduler run every queued task and fire the
// timers due now before it is polled again. Two yields in a row with no task polled in between
// mean nothing is left to run at this instant. A yield never moves a paused clock; only an idle
// runtime waiting for a timer does (auto-advance), which the adapter allows only inside `advance`,
// up to the input's end time, so that openraft's timers fire in order at their own instants.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use openraft::error::{CheckIsLeaderError, ClientWriteError, RaftError};
use openraft::raft::{AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest};
use openraft::{Config, EntryPayload, Membership, ServerState, SnapshotPolicy};
use tokio::runtime::{RngSeed, Runtime};
use tokio::time::Instant;

use crate::network::{append_response_view, snapshot_response_view, vote_response_view, NetworkFactory};
use crate::protocol::{
    Answer, Body, Command, ConfigurationView, Input, LogDelta, LogEntryView, Options, Output, Record, SnapshotRecord, SnapshotView,
    StateView,
};
use crate::storage::{LogStore, Shared, SharedRef, StateMachine};
use crate::timer::ElectionTimer;
use crate::types::{contract_term, Entry, LogId, Raft, NODE_SLOTS_PER_TERM};

mod membership;

/// How many rounds of yields an input may take before the node counts as never idle: far beyond
/// what any input needs (a round runs up to 61 tasks), small enough to fail in well under a second.
const SETTLE_ROUNDS_MAX: u32 = 100_000;

pub struct Node {
    id: u64,
    runtime: Runtime,
    raft: Raft,
    shared: SharedRef,
    timer: ElectionTimer,
    pacing: Pacing,
    polls: Arc<AtomicU64>,
    tick_ms: u64,
    /// The runtime's clock at start; local time is counted from here.
    origin: Instant,
    local_ms: u64,
    /// The last log index the records held at start, and the reads a leader holds until its
    /// commit index reaches it (read()).
    reads_from_commit: u64,
    reads_held: Vec<Command>,
    /// Feature 'membership': the configuration view last shown (the view shows it when it changes).
    configuration_shown: Option<ConfigurationView>,
}

impl Node {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A fresh node over the surviving records; its output reports the whole log.
    pub fn start(input: &Input) -> Result<(Node, Output), String> {
        let options = &input.options;
        let tick_ms = options.tick_ms.max(1);
        if let Some(id) = input
            .members
            .iter()
            .chain([&input.id])
            .find(|id| **id == 0 || **id >= NODE_SLOTS_PER_TERM)
        {
            return Err(format!(
                "start: node id {} is outside 1..{}, which the adapter's terms hold (types.rs)",
                id,
                NODE_SLOTS_PER_TERM - 1
            ));
        }
        let shared = SharedRef::default();
        let (incarnation, reads_from_commit) = {
            let mut state = shared.lock();
            state.replay(&input.records)?;
            state.restore_state_machine();
            let last_index = state
                .log
                .keys()
                .next_back()
                .copied()
                .or(state.last_purged.map(|log_id| log_id.index))
                .unwrap_or(0);
            // A node that joins (no members) learns the configuration from a leader's log, index 0
            // included; one whose log was purged holds it in its snapshot.
            if !input.members.is_empty() && state.last_purged.is_none() {
                state.log.entry(0).or_insert_with(|| initial_configuration(&input.members));
            }
            // The whole log goes into the start view, from index 1.
            state.log_changed_from = Some(1);
            let incarnation = state.incarnation + 1;
            state.incarnation = incarnation;
            state.mailbox.incarnation = incarnation;
            (incarnation, last_index)
        };
        let polls = Arc::new(AtomicU64::new(0));
        let runtime = runtime(input.seed, input.id, polls.clone())?;
        let origin = runtime.block_on(async { Instant::now() });
        let config = openraft_config(options, tick_ms)?;
        let raft = runtime
            .block_on(Raft::new(
                input.id,
                Arc::new(config),
                NetworkFactory { shared: shared.clone() },
                LogStore { shared: shared.clone() },
                StateMachine { shared: shared.clone() },
            ))
            .map_err(|error| format!("openraft did not start: {}", error))?;
        let mut node = Node {
            id: input.id,
            runtime,
            raft,
            shared,
            timer: ElectionTimer::new(input.seed, input.id, options.election_ticks_min, options.election_ticks_max),
            pacing: Pacing::new(options),
            polls,
            tick_ms,
            origin,
            local_ms: 0,
            reads_from_commit,
            reads_held: Vec::new(),
            configuration_shown: None,
        };
        let mut output = Output::default();
        // Numbers its requests apart from every earlier incarnation's (network.rs); synced with
        // this output, before any message of this incarnation leaves.
        node.shared.lock().records.push(Record::Incarnation(incarnation));
        node.settle()?;
        node.finish(&mut output);
        Ok((node, output))
    }

    /// Handles one input after start.
    pub fn step(&mut self, input: Input, output: &mut Output) -> Result<(), String> {
        match input.kind.as_str() {
            "advance" => self.advance(input.elapsed_ms)?,
            "tick" => self.advance(self.tick_ms)?,
            "deliver" => {
                let envelope = input.message.ok_or("deliver without a message")?;
                self.deliver(input.from, envelope.body)?;
            }
            "propose" => {
                let command = input.command.ok_or("propose without a command")?;
                let answer = self.propose(command)?;
                output.answers.push(answer);
            }
            "read" => {
                let command = input.command.ok_or("read without a command")?;
                self.read(command)?;
            }
            "changeMembership" => {
                let change = input.change.ok_or("changeMembership without a change")?;
                let answer = self.change_membership(&change)?;
                output.answers.push(answer);
            }
            other => return Err(format!("unknown input kind {:?}", other)),
        }
        self.release_reads()?;
        self.leave_stranded_joint()?;
        self.finish(output);
        Ok(())
    }

    /// Moves the local clock forward tick by tick, firing openraft's timers in order and the
    /// election timer at each tick.
    fn advance(&mut self, elapsed_ms: u64) -> Result<(), String> {
        let end_ms = self.local_ms + elapsed_ms;
        while self.local_ms < end_ms {
            let next_ms = (self.local_ms + self.tick_ms).min(end_ms);
            let deadline = self.origin + Duration::from_millis(next_ms);
            let polls = self.polls.clone();
            self.runtime.block_on(async move {
                tokio::time::sleep_until(deadline).await;
                settle(&polls).await
            })?;
            self.local_ms = next_ms;
            self.reset_timer_if_heard();
            let leader = self.raft.metrics().borrow().state == ServerState::Leader;
            if !leader && self.pacing.tick(&mut self.timer) {
                let raft = self.raft.clone();
                self.runtime
                    .block_on(async move { raft.trigger().elect().await })
                    .map_err(|error| format!("elect: {}", error))?;
                self.settle()?;
            }
        }
        Ok(())
    }

    /// Hands a peer's message to openraft: a request is served by a task that sends the answer
    /// back; an answer goes to the call waiting for it.
    fn deliver(&mut self, from: u64, body: Body) -> Result<(), String> {
        let shared = self.shared.clone();
        let raft = self.raft.clone();
        match body {
            Body::AppendEntries { request, rpc } => {
                self.runtime.spawn(async move {
                    // The view needs the request; openraft takes it.
                    let asked = AppendEntriesRequest {
                        vote: rpc.vote,
                        prev_log_id: rpc.prev_log_id,
                        leader_commit: rpc.leader_commit,
                        entries: rpc.entries.last().cloned().into_iter().collect(),
                    };
                    if let Ok(answer) = raft.append_entries(rpc).await {
                        let view = append_response_view(&asked, &answer);
                        let mut state = shared.lock();
                        // Anything but a higher vote means the sender leads this node's term.
                        state.leader_heard |= !matches!(answer, AppendEntriesResponse::HigherVote(_));
                        state.mailbox.send(from, view, Body::AppendEntriesResponse { request, rpc: answer });
                    }
                });
            }
            Body::Vote { request, rpc } => {
                self.runtime.spawn(async move {
                    if let Ok(answer) = raft.vote(rpc).await {
                        let mut state = shared.lock();
                        state.vote_granted |= answer.vote_granted;
                        state
                            .mailbox
                            .send(from, vote_response_view(&answer), Body::VoteResponse { request, rpc: answer });
                    }
                });
            }
            Body::InstallSnapshot { request, rpc } => {
                self.runtime.spawn(async move {
                    let asked = InstallSnapshotRequest {
                        vote: rpc.vote,
                        meta: rpc.meta.clone(),
                        offset: rpc.offset,
                        data: Vec::new(),
                        done: rpc.done,
                    };
                    if let Ok(answer) = raft.install_snapshot(rpc).await {
                        let view = snapshot_response_view(&asked, &answer);
                        let mut state = shared.lock();
                        state.leader_heard |= answer.vote.leader_id() == asked.vote.leader_id();
                        state
                            .mailbox
                            .send(from, view, Body::InstallSnapshotResponse { request, rpc: answer });
                    }
                });
            }
            answer @ (Body::AppendEntriesResponse { .. } | Body::VoteResponse { .. } | Body::InstallSnapshotResponse { .. }) => {
                let mut state = shared.lock();
                if let Body::VoteResponse { rpc, .. } = &answer {
                    let last_log_id = state.log.values().next_back().map(|entry| entry.log_id);
                    state.greater_log_seen |= rpc.last_log_id > last_log_id;
                }
                state.mailbox.answer(from, answer);
            }
        }
        self.settle()
    }

    /// A leader appends the command at once: `accepted` with its index and term. Any other node
    /// answers `notLeader` with openraft's hint.
    fn propose(&mut self, command: Command) -> Result<Answer, String> {
        let command_id = command.id;
        let raft = self.raft.clone();
        let mut receiver = self
            .runtime
            .block_on(async move { raft.client_write_ff(command).await })
            .map_err(|error| format!("client_write: {}", error))?;
        self.settle()?;
        if let Some(log_id) = self.appended(command_id) {
            return Ok(Answer::Accepted {
                command_id,
                index: log_id.index,
                term: contract_term(&log_id.leader_id),
            });
        }
        match receiver.try_recv() {
            Ok(Err(ClientWriteError::ForwardToLeader(forward))) => Ok(Answer::NotLeader {
                command_id,
                leader_hint: forward.leader_id,
            }),
            other => Err(format!(
                "command {} neither appended nor refused once the node was idle: {:?}",
                command_id,
                other.map(|_| ())
            )),
        }
    }

    /// The log id of the entry carrying `command_id`, among those appended by this input.
    fn appended(&self, command_id: i64) -> Option<LogId> {
        let shared = self.shared.lock();
        let from = shared.log_changed_from?;
        shared.log.range(from..).find_map(|(_, entry)| match &entry.payload {
            EntryPayload::Normal(command) if command.id == command_id => Some(entry.log_id),
            _ => None,
        })
    }

    /// A linearizable read (openraft's ensure_linearizable: a heartbeat round confirms the
    /// leadership, then the read waits until the read log id is applied), answered in whichever
    /// output it completes.
    ///
    /// The state machine here starts empty at every start and the committed log id comes back
    /// from records that may lag, which openraft leaves to the application: "your application has
    /// to deal with state reversion of state machine carefully upon restart. E.g., do not serve
    /// read operation [until] a new `commit` message is received" (RaftLogStorage::save_committed).
    /// A leader restarted in its own term would otherwise read below a write it applied before the
    /// crash (its read log id is the first entry of its term). So a leader holds reads until its
    /// commit index covers every entry it held at start, which includes all it ever applied.
    fn read(&mut self, command: Command) -> Result<(), String> {
        let leader = self.raft.metrics().borrow().state == ServerState::Leader;
        if leader && self.commit_index() < self.reads_from_commit {
            self.reads_held.push(command);
            return Ok(());
        }
        self.serve_read(command);
        self.settle()
    }

    fn commit_index(&self) -> u64 {
        self.shared.lock().committed.map_or(0, |log_id| log_id.index)
    }

    /// Hands the held reads to openraft once the commit index allows (see read()).
    fn release_reads(&mut self) -> Result<(), String> {
        if self.reads_held.is_empty() || self.commit_index() < self.reads_from_commit {
            return Ok(());
        }
        for command in std::mem::take(&mut self.reads_held) {
            self.serve_read(command);
        }
        self.settle()
    }

    fn serve_read(&mut self, command: Command) {
        let shared = self.shared.clone();
        let raft = self.raft.clone();
        self.runtime.spawn(async move {
            let answer = match raft.ensure_linearizable().await {
                Ok(_) => Answer::Read {
                    command_id: command.id,
                    value: shared.lock().store.get(&command.key),
                },
                Err(RaftError::APIError(CheckIsLeaderError::ForwardToLeader(forward))) => Answer::NotLeader {
                    command_id: command.id,
                    leader_hint: forward.leader_id,
                },
                // No quorum answered the heartbeat round: leadership unconfirmed.
                Err(RaftError::APIError(CheckIsLeaderError::QuorumNotEnough(_))) => Answer::NotLeader {
                    command_id: command.id,
                    leader_hint: None,
                },
                Err(RaftError::Fatal(_)) => return,
            };
            shared.lock().answers.push(answer);
        });
    }

    /// Runs the node's tasks until every one of them waits, at the current instant.
    fn settle(&mut self) -> Result<(), String> {
        let polls = self.polls.clone();
        self.runtime.block_on(async move { settle(&polls).await })
    }

    fn reset_timer_if_heard(&mut self) {
        let mut shared = self.shared.lock();
        let heard = std::mem::take(&mut shared.leader_heard);
        let granted = std::mem::take(&mut shared.vote_granted);
        self.pacing.greater_log_seen |= std::mem::take(&mut shared.greater_log_seen);
        if heard || granted {
            self.timer.reset();
            self.pacing.restart(heard);
        }
    }

    /// Moves what the input caused into its output, with the view.
    fn finish(&mut self, output: &mut Output) {
        self.reset_timer_if_heard();
        let metrics = self.raft.metrics().borrow().clone();
        let mut shared = self.shared.lock();
        output.messages = std::mem::take(&mut shared.mailbox.outbox);
        output.records = std::mem::take(&mut shared.records);
        // openraft counts a write done when append returns (storage.rs), so every write must be
        // durable before anything this node says next leaves.
        output.sync = !output.records.is_empty() || !output.messages.is_empty();
        output.applied = std::mem::take(&mut shared.applied);
        output.answers.append(&mut shared.answers);
        let (snapshot_index, snapshot_term) = shared.snapshot_position();
        let log = log_and_snapshots(&mut shared, output);
        let mut configuration = membership::configuration_view(&shared);
        if configuration == self.configuration_shown {
            configuration = None;
        } else {
            self.configuration_shown = configuration.clone();
        }
        let vote = metrics.vote;
        output.state = Some(StateView {
            role: match metrics.state {
                ServerState::Leader => "leader",
                ServerState::Candidate => "candidate",
                _ => "follower",
            },
            term: contract_term(vote.leader_id()),
            voted_for: vote.leader_id.voted_for(),
            commit_index: shared.committed.map_or(0, |log_id| log_id.index),
            applied_index: shared.last_applied.map_or(0, |log_id| log_id.index),
            leader_hint: metrics.current_leader,
            log,
            snapshot_index: Some(snapshot_index),
            snapshot_term: Some(snapshot_term),
            configuration,
        });
    }
}

/// openraft's own rules for when a node that is not leader may elect (RaftCore::
/// handle_tick_election), applied to the seeded timer's timeouts: a node that follows a leader
/// (its vote committed) waits out the leader lease (`election_timeout_max`) before its timeout
/// counts, since until then every voter that heard the same leader refuses it; and a node whose
/// vote was refused by one with a greater log waits `2 * election_timeout_max` more before it
/// elects, so that a node with a longer log wins first.
struct Pacing {
    lease_ticks: u64,
    smaller_log_ticks: u64,
    hold_ticks: u64,
    elect_after_hold: bool,
    greater_log_seen: bool,
}

impl Pacing {
    fn new(options: &Options) -> Pacing {
        let ticks_max = options.election_ticks_max.max(options.election_ticks_min).max(1);
        Pacing {
            lease_ticks: ticks_max,
            smaller_log_ticks: 2 * ticks_max,
            hold_ticks: 0,
            elect_after_hold: false,
            greater_log_seen: false,
        }
    }

    /// The timer restarted: after a leader's message the lease holds it first; after a vote
    /// granted it counts at once.
    fn restart(&mut self, heard_leader: bool) {
        self.hold_ticks = if heard_leader { self.lease_ticks } else { 0 };
        self.elect_after_hold = false;
    }

    /// Counts one tick of a node that is not leader; true when it elects now.
    fn tick(&mut self, timer: &mut ElectionTimer) -> bool {
        if self.hold_ticks > 0 {
            self.hold_ticks -= 1;
            return self.hold_ticks == 0 && std::mem::take(&mut self.elect_after_hold);
        }
        if !timer.tick() {
            return false;
        }
        if std::mem::take(&mut self.greater_log_seen) {
            self.hold_ticks = self.smaller_log_ticks;
            self.elect_after_hold = true;
            return false;
        }
        true
    }
}

/// Drives the runtime until nothing is left to run at this instant (the module comment says how).
async fn settle(polls: &AtomicU64) -> Result<(), String> {
    let mut quiet_rounds = 0;
    for _ in 0..SETTLE_ROUNDS_MAX {
        let before = polls.load(Ordering::Relaxed);
        tokio::task::yield_now().await;
        if polls.load(Ordering::Relaxed) == before {
            quiet_rounds += 1;
            if quiet_rounds == 2 {
                return Ok(());
            }
        } else {
            quiet_rounds = 0;
        }
    }
    Err(format!("the node never became idle ({} rounds of its tasks)", SETTLE_ROUNDS_MAX))
}

/// A current-thread runtime with a paused clock, its scheduler RNG seeded from the node's seed and
/// id, counting task polls.
fn runtime(seed: i64, id: u64, polls: Arc<AtomicU64>) -> Result<Runtime, String> {
    let seed_bytes = [u64::from(seed as u32).to_le_bytes(), id.to_le_bytes()].concat();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .rng_seed(RngSeed::from_bytes(&seed_bytes))
        .on_before_task_poll(move |_| {
            polls.fetch_add(1, Ordering::Relaxed);
        })
        .build()
        .map_err(|error| format!("tokio runtime: {}", error))
}

/// openraft's Config from the scenario's tick counts: its timers in local milliseconds, its own
/// elections off, a snapshot once `snapshotEntriesThreshold` entries are applied after the last
/// (none without it), and the entries a snapshot holds purged as soon as no replication reads them.
fn openraft_config(options: &Options, tick_ms: u64) -> Result<Config, String> {
    let election_timeout_min = options.election_ticks_min.max(1) * tick_ms;
    let config = Config {
        cluster_name: "raftcheck".to_owned(),
        election_timeout_min,
        // openraft wants the range non-empty; its bound also sets the leader lease.
        election_timeout_max: (options.election_ticks_max * tick_ms).max(election_timeout_min + 1),
        heartbeat_interval: options.heartbeat_ticks.max(1) * tick_ms,
        enable_elect: false,
        max_payload_entries: options.entries_per_message_max.max(1),
        snapshot_policy: options
            .snapshot_entries_threshold
            .filter(|threshold| *threshold > 0)
            .map_or(SnapshotPolicy::Never, SnapshotPolicy::LogsSinceLast),
        max_in_snapshot_log_to_keep: 0,
        ..Config::default()
    };
    config
        .validate()
        .map_err(|error| format!("start: the scenario's timing does not suit openraft: {}", error))
}

/// The configuration every node of the cluster starts from, at index 0 with the zero log id:
/// what `Raft::initialize` writes on each node it is called on (the same on all of them), without
/// the election `initialize` starts, which the harness's timer decides instead.
fn initial_configuration(members: &[u64]) -> Entry {
    let voters: BTreeSet<u64> = members.iter().copied().collect();
    Entry {
        log_id: LogId::default(),
        payload: EntryPayload::Membership(Membership::new(vec![voters.clone()], voters)),
    }
}

/// The log delta since the last output, starting after the snapshot (one installed replaces what
/// was shown), and the snapshots taken and installed into the output.
fn log_and_snapshots(shared: &mut Shared, output: &mut Output) -> Option<LogDelta> {
    let (snapshot_index, _) = shared.snapshot_position();
    let changed_from = shared.log_changed_from.take();
    let installed = shared.snapshot_installed.take();
    output.snapshot_installed = installed.as_ref().map(snapshot_view);
    output.snapshot_taken = shared.snapshot_taken.take().as_ref().map(snapshot_view);
    let changed_from = installed.map(|_| snapshot_index + 1).or(changed_from)?;
    let from = changed_from.max(snapshot_index + 1);
    Some(LogDelta {
        from,
        entries: shared.log.range(from..).map(|(_, entry)| entry_view(entry)).collect(),
    })
}

fn snapshot_view(snapshot: &SnapshotRecord) -> SnapshotView {
    let last = snapshot.meta.last_log_id.unwrap_or_default();
    SnapshotView {
        index: last.index,
        term: contract_term(&last.leader_id),
        configuration: membership::configuration_of(snapshot.meta.last_membership.membership()),
        data: snapshot.state.data.clone(),
    }
}

fn entry_view(entry: &Entry) -> LogEntryView {
    LogEntryView {
        term: contract_term(&entry.log_id.leader_id),
        command_id: match &entry.payload {
            EntryPayload::Normal(command) => command.id,
            _ => 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            election_ticks_min: 10,
            election_ticks_max: 20,
            heartbeat_ticks: 2,
            entries_per_message_max: 4,
            ..Options::default()
        }
    }

    /// The tick (counted from 1) at which the node first elects.
    fn first_election(pacing: &mut Pacing, timer: &mut ElectionTimer) -> u64 {
        (1..=1000).find(|_| pacing.tick(timer)).expect("no election within 1000 ticks")
    }

    #[test]
    fn a_node_that_heard_a_leader_elects_only_after_the_lease_and_its_timeout() {
        for seed in 0..50 {
            let (mut pacing, mut timer) = (Pacing::new(&options()), ElectionTimer::new(seed, 1, 10, 20));
            pacing.restart(true);
            let tick = first_election(&mut pacing, &mut timer);
            assert!((30..=40).contains(&tick), "seed {}: elected at tick {}", seed, tick);
        }
    }

    #[test]
    fn a_node_that_granted_a_vote_elects_after_its_timeout_alone() {
        for seed in 0..50 {
            let (mut pacing, mut timer) = (Pacing::new(&options()), ElectionTimer::new(seed, 1, 10, 20));
            pacing.restart(false);
            let tick = first_election(&mut pacing, &mut timer);
            assert!((10..=20).contains(&tick), "seed {}: elected at tick {}", seed, tick);
        }
    }

    #[test]
    fn a_node_refused_by_a_greater_log_waits_twice_the_longest_timeout_more() {
        for seed in 0..50 {
            let (mut pacing, mut timer) = (Pacing::new(&options()), ElectionTimer::new(seed, 1, 10, 20));
            pacing.greater_log_seen = true;
            let tick = first_election(&mut pacing, &mut timer);
            assert!((50..=60).contains(&tick), "seed {}: elected at tick {}", seed, tick);
        }
    }
}
