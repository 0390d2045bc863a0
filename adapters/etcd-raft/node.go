// node drives one etcd raft.RawNode through raftcheck's inputs: it is the whole adapter minus
// the stdio loop. Every input is handled to completion (Ready/Advance until nothing is ready)
// and answered with exactly one output, so the output is a pure function of the inputs so far.
//
// What the adapter adds to etcd's RawNode:
//   - the election timer (see electionTimer below), because etcd draws its randomized election
//     timeout from crypto/rand, which would make runs unrepeatable;
//   - storage: a raft.MemoryStorage rebuilt from the durable records the harness kept;
//   - the key-value state machine, reads served through etcd's ReadIndex, and the white-box view
//     the invariants read.

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/raftcheck/adapters/raftcheck-go"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

const (
	// electionTickNever is what the adapter sets etcd's randomized election timeout to before
	// every tick (silenceElectionTimeout), so that etcd's own (crypto-random) timeout never fires
	// within a run, leaving elections to electionTimer.
	electionTickNever = 1 << 30
	// entryBytesNominal converts entriesPerMessageMax to etcd's byte limit MaxSizePerMsg. As
	// protobuf, a workload set entry ({"id":1234,"op":"set","key":"k3","value":"v1234"}) is
	// about 56 bytes and a get or del about 40, so with the workload's mix a message carries
	// about entriesPerMessageMax command entries (more when they are small no-op entries).
	entryBytesNominal = 48
	// readsPendingMax bounds the reads a leader holds at once (as the reference does); past it a
	// read is refused and the client retries.
	readsPendingMax = 1000
	// inflightMessagesMax is etcd's MaxInflightMsgs, as etcd's own server sets it (512): the
	// harness's scenarios have no knob for it, and the reference pipelines without a limit.
	inflightMessagesMax = 512
)

type node struct {
	id      uint64
	raw     *raft.RawNode
	storage *raft.MemoryStorage
	timer   electionTimer
	store   *keyValueStore
	// randomizedElectionTimeout is etcd's own, silenced before each tick.
	randomizedElectionTimeout *int

	appliedIndex uint64
	// confState is the configuration in force at appliedIndex (etcd's takes effect when applied),
	// from the entry (or snapshot) at confIndex, 0 for the bootstrap one; confIndexLatest is the
	// latest configuration entry appended, and configurationChanged says the view must show it.
	confState            *pb.ConfState
	confIndex            uint64
	confIndexLatest      uint64
	configurationChanged bool
	// Feature snapshots: compact once snapshotThreshold applied entries follow the latest
	// snapshot (0: never), which folded the log up to snapshotIndex.
	snapshotThreshold           uint64
	snapshotIndex, snapshotTerm uint64
	// snapshotsSent are the followers sent a MsgSnap in the Ready being handled.
	snapshotsSent []uint64
	// guard keeps etcd from sending a snapshot that lacks a member (guardedStorage).
	guard *snapshotGuard
	// log mirrors the log after the snapshot as the harness knows it (log[i] is entry
	// snapshotIndex + 1 + i), for the view's delta.
	log []logEntryView
	// logDirtyFrom is the lowest index changed since the last view; 0 when nothing changed.
	logDirtyFrom uint64
	// reads are the read inputs not answered yet, in arrival order.
	reads []pendingRead
	// async is etcd's AsyncStorageWrites (async.go): storage work goes to the local threads.
	async bool
	// confUnapplied are the indexes of the configuration entries in the log mirror past confIndex,
	// in order (async.go: the view's commit index stops short of the first).
	confUnapplied []uint64
}

// pendingRead is a read handed to etcd's ReadIndex. etcd confirms it with a ReadState (the read
// index, once a quorum acknowledged this leader's heartbeat); the adapter answers it once the
// state machine has applied that index. etcd silently forgets unconfirmed reads when the node
// changes term or role, so the adapter refuses those then.
type pendingRead struct {
	command   command
	term      uint64
	confirmed bool
	index     uint64
}

// electionTimer replaces etcd's randomized election timeout with one drawn from the seed the
// harness hands over. It counts ticks while the node is not leader, and is reset when the node
// hears from the leader of its term or grants a vote (as etcd resets electionElapsed), and when
// it fires.
type electionTimer struct {
	random       *rand.Rand
	ticksMin     int
	ticksMax     int
	elapsedTicks int
	timeoutTicks int
}

func newElectionTimer(seed int64, id uint64, o options) electionTimer {
	// The node id goes into the seed: nodes handed the same seed (a shrunk choice sequence hands
	// every node 0) must still draw different timeouts, or every election splits the vote.
	source := rand.NewPCG(uint64(uint32(seed)), id*0x9e3779b97f4a7c15)
	t := electionTimer{random: rand.New(source), ticksMin: o.ElectionTicksMin, ticksMax: o.ElectionTicksMax}
	if t.ticksMin < 1 {
		t.ticksMin = 1
	}
	if t.ticksMax < t.ticksMin {
		t.ticksMax = t.ticksMin
	}
	t.reset()
	return t
}

// reset restarts the count with a new timeout drawn in [ticksMin, ticksMax].
func (t *electionTimer) reset() {
	t.elapsedTicks = 0
	t.timeoutTicks = t.ticksMin + t.random.IntN(t.ticksMax-t.ticksMin+1)
}

// tick counts one tick and says whether the timeout fired (and was reset).
func (t *electionTimer) tick() bool {
	t.elapsedTicks++
	if t.elapsedTicks < t.timeoutTicks {
		return false
	}
	t.reset()
	return true
}

// bootstrappedStorage is a MemoryStorage whose initial configuration is the harness's members
// (a storage with a snapshot has the snapshot's instead). etcd's Bootstrap would instead write configuration-change
// entries at term 1 into every log, entries that no leader ever replicated; a ConfState with an
// empty log keeps the logs the harness sees to what the leaders wrote.
type bootstrappedStorage struct {
	*raft.MemoryStorage
	confState *pb.ConfState
}

func (s bootstrappedStorage) InitialState() (*pb.HardState, *pb.ConfState, error) {
	hardState, _, err := s.MemoryStorage.InitialState()
	return hardState, s.confState, err
}

// startNode rebuilds a node from the durable records that survived and creates its RawNode; a
// snapshot it restores is reported in out.
func startNode(in *input, logger raft.Logger, out *output) (*node, error) {
	if in.ID == 0 {
		return nil, errors.New("start: node id 0 is not allowed (etcd reserves it for none)")
	}
	o, err := parseOptions(in.Options)
	if err != nil {
		return nil, fmt.Errorf("start: options: %w", err)
	}
	if o.HeartbeatTicks < 1 {
		return nil, fmt.Errorf("start: heartbeatTicks %d is below 1", o.HeartbeatTicks)
	}
	storage, restored, err := rebuildStorage(in.Records)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	bootstrap := &pb.ConfState{Voters: append([]uint64(nil), in.Members...)}
	var initial raft.Storage = bootstrappedStorage{MemoryStorage: storage, confState: bootstrap}
	if restored != nil {
		initial = storage // its ConfState is the snapshot's
	}
	guard := &snapshotGuard{}
	raw, err := raft.NewRawNode(etcdConfig(in.ID, o, guardedStorage{Storage: initial, guard: guard}, logger))
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	randomizedElectionTimeout, err := randomizedElectionTimeoutOf(raw)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	n := &node{
		id:                        in.ID,
		raw:                       raw,
		randomizedElectionTimeout: randomizedElectionTimeout,
		storage:                   storage,
		timer:                     newElectionTimer(in.Seed, in.ID, o),
		store:                     newKeyValueStore(),
		confState:                 bootstrap,
		configurationChanged:      true, // the output of start carries the configuration
		snapshotThreshold:         o.SnapshotEntriesThreshold,
		logDirtyFrom:              1, // the output of start carries the whole log
		async:                     o.AsyncStorageWrites,
		guard:                     guard,
	}
	guard.members = func() *pb.ConfState { return n.confState }
	if restored != nil {
		n.restore(restored)
		out.SnapshotInstalled = restored.view()
	}
	first, _ := storage.FirstIndex()
	last, _ := storage.LastIndex()
	if last >= first {
		entries, err := storage.Entries(first, last+1, math.MaxUint64)
		if err != nil {
			return nil, fmt.Errorf("start: reading the rebuilt log: %w", err)
		}
		for _, e := range entries {
			n.log = append(n.log, logEntryView{Term: e.GetTerm(), CommandID: commandIDOf(e)})
		}
	}
	return n, nil
}

// etcdConfig is etcd's Config for the scenario's options.
func etcdConfig(id uint64, o options, storage raft.Storage, logger raft.Logger) *raft.Config {
	return &raft.Config{
		ID: id,
		// etcd's election timeout, without its randomized part (silenced, see above), is what its
		// check-quorum, its followers' lease and its transfer deadline count: the scenario's
		// minimum election timeout, as etcd's followers never time out sooner.
		ElectionTick:  max(o.ElectionTicksMin, 1),
		HeartbeatTick: o.HeartbeatTicks,
		PreVote:       o.PreVote,
		// etcd refuses ReadOnlyLeaseBased without CheckQuorum: its lease is check-quorum's.
		CheckQuorum:    o.CheckQuorum || o.LeaseReads,
		ReadOnlyOption: readOnlyOption(o.LeaseReads),
		Storage:        storage,
		MaxSizePerMsg:  maxSizePerMessage(o.EntriesPerMessageMax),
		// Apply everything committed at once: the harness expects applied entries as soon as the
		// commit index covers them (the reference does the same).
		MaxCommittedSizePerReady: math.MaxUint64,
		MaxInflightMsgs:          inflightMessagesMax,
		Logger:                   logger,
		// A leader that removed itself steps down once it applies that (as etcd's server asks).
		StepDownOnRemoval: true,
		// Storage work as messages to the local append and apply threads (async.go).
		AsyncStorageWrites: o.AsyncStorageWrites,
	}
}

// rebuildStorage replays the durable records into a MemoryStorage, and returns the latest
// snapshot among them (nil: none).
func rebuildStorage(records []json.RawMessage) (*raft.MemoryStorage, *snapshotRecord, error) {
	storage := raft.NewMemoryStorage()
	var restored *snapshotRecord
	for position, raw := range records {
		snapshot, err := replayRecord(storage, raw)
		if err != nil {
			return nil, nil, fmt.Errorf("record %d: %w", position, err)
		}
		if snapshot != nil {
			restored = snapshot
		}
	}
	if restored != nil {
		// A snapshot's index is committed; the HardState written before it may say less.
		hardState, _, _ := storage.InitialState()
		if hardState.GetCommit() < restored.Index {
			raised := &pb.HardState{Term: new(hardState.GetTerm()), Vote: new(hardState.GetVote()), Commit: new(restored.Index)}
			if err := storage.SetHardState(raised); err != nil {
				return nil, nil, err
			}
		}
	}
	return storage, restored, nil
}

// maxSizePerMessage maps "at most n entries per message" to etcd's byte limit. etcd reads 0 as
// exactly one entry per message, which makes n = 1 exact; above that the count is approximate.
func maxSizePerMessage(entriesMax int) uint64 {
	if entriesMax <= 1 {
		return 0
	}
	return uint64(entriesMax) * entryBytesNominal
}

// replayRecord applies one durable record to storage, and returns its snapshot if it has one:
// the snapshot first (a Ready's snapshot comes before its entries), then its entries overwrite
// the log from their first index on; its HardState replaces the last one (a torn suffix of
// records never arrives).
func replayRecord(storage *raft.MemoryStorage, raw json.RawMessage) (*snapshotRecord, error) {
	var r record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	if r.Snapshot != nil {
		if err := replaySnapshot(storage, r.Snapshot); err != nil {
			return nil, err
		}
	}
	if err := replayEntries(storage, r.Entries); err != nil {
		return nil, err
	}
	if r.HardState != nil {
		hardState := &pb.HardState{Term: &r.HardState.Term, Vote: &r.HardState.Vote, Commit: &r.HardState.Commit}
		return r.Snapshot, storage.SetHardState(hardState)
	}
	return r.Snapshot, nil
}

func replayEntries(storage *raft.MemoryStorage, records []entryRecord) error {
	r := record{Entries: records}
	if len(r.Entries) > 0 {
		entries := make([]*pb.Entry, 0, len(r.Entries))
		for _, er := range r.Entries {
			e, err := er.toEntry()
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		last, _ := storage.LastIndex()
		if entries[0].GetIndex() > last+1 {
			return fmt.Errorf("entries start at %d, past the end of the log %d", entries[0].GetIndex(), last)
		}
		if first, _ := storage.FirstIndex(); entries[0].GetIndex() < first {
			return fmt.Errorf("entries start at %d, inside the snapshot that ends at %d", entries[0].GetIndex(), first-1)
		}
		if err := storage.Append(entries); err != nil {
			return err
		}
	}
	return nil
}

// step handles one input (other than start and hello) and returns its output.
func (n *node) step(in *input, out *output) error {
	switch in.Kind {
	case "tick":
		*n.randomizedElectionTimeout = electionTickNever // etcd may have drawn a new one since
		n.raw.Tick()                                     // heartbeats, check-quorum, leases; etcd's own election timeout never fires
		if n.raw.BasicStatus().RaftState != raft.StateLeader && n.timer.tick() && n.promotable() {
			if err := n.raw.Campaign(); err != nil {
				return fmt.Errorf("campaign: %w", err)
			}
		}
		return n.drain(out, nil)
	case "deliver":
		return n.deliver(in, out)
	case "propose":
		if in.Command == nil {
			return errors.New("propose without a command")
		}
		return n.propose(in.Command, out)
	case "read":
		if in.Command == nil {
			return errors.New("read without a command")
		}
		return n.read(in.Command, out)
	case "changeMembership":
		if in.Change == nil {
			return errors.New("changeMembership without a change")
		}
		return n.changeMembership(in.Change, out)
	case "transferLeadership":
		if in.Transfer == nil {
			return errors.New("transferLeadership without a transfer")
		}
		return n.transferLeadership(in.Transfer, out)
	default:
		return fmt.Errorf("unknown input kind %q", in.Kind)
	}
}

func (n *node) deliver(in *input, out *output) error {
	if in.Message == nil {
		return errors.New("deliver without a message")
	}
	m, err := decodeMessage(in.Message)
	if err != nil {
		return fmt.Errorf("deliver from %d: %w", in.From, err)
	}
	if in.Message.Local != "" {
		if !n.async || in.From != n.id || m.GetFrom() != n.id || localThreadOf(m) != in.Message.Local {
			return fmt.Errorf("deliver: local %s work %s from %d, which this node did not hand to that thread", in.Message.Local, m.GetType(), in.From)
		}
		return n.doLocalWork(m, in.Message.Local, out)
	}
	if m.GetFrom() != in.From || m.GetTo() != n.id {
		return fmt.Errorf("deliver: message %s from %d to %d handed to %d as from %d", m.GetType(), m.GetFrom(), m.GetTo(), n.id, in.From)
	}
	// A message etcd refuses (a response from a peer it does not know) is dropped, as a real
	// transport would drop it; it is no error of the node's.
	_ = n.raw.Step(m)
	switch m.GetType() {
	case pb.MsgApp, pb.MsgHeartbeat, pb.MsgSnap:
		status := n.raw.BasicStatus()
		if status.Lead == m.GetFrom() && status.HardState.GetTerm() == m.GetTerm() {
			n.timer.reset() // heard from the leader of our term
		}
	}
	return n.drain(out, nil)
}

func (n *node) propose(c *command, out *output) error {
	status := n.raw.BasicStatus()
	if status.RaftState != raft.StateLeader {
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: c.ID, Kind: "notLeader", LeaderHint: optionalID(status.Lead)})
		return n.drain(out, nil)
	}
	if err := n.raw.Propose(raftcheck.AppendCommand(nil, c)); err != nil {
		// etcd drops proposals during a leadership transfer (the client should go to the
		// target) or past its uncommitted-size limit (not configured here).
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: c.ID, Kind: "notLeader", LeaderHint: optionalID(status.LeadTransferee)})
		return n.drain(out, nil)
	}
	proposed := &acceptedAnswer{CommandID: c.ID, Kind: "accepted"}
	if err := n.drain(out, proposed); err != nil {
		return err
	}
	if proposed.Index == 0 {
		return fmt.Errorf("proposal of command %d accepted but its entry never appeared in a Ready", c.ID)
	}
	out.Answers = append(out.Answers, *proposed)
	return nil
}

// read starts a linearizable read with etcd's ReadIndex (ReadOnlySafe: a round of heartbeats
// confirms the leadership); its answer comes with this output or a later one.
func (n *node) read(c *command, out *output) error {
	status := n.raw.BasicStatus()
	if status.RaftState != raft.StateLeader || len(n.reads) >= readsPendingMax {
		// A follower could forward it (etcd would), but the client learns the leader this way.
		out.Answers = append(out.Answers, notLeaderAnswer{CommandID: c.ID, Kind: "notLeader", LeaderHint: optionalID(status.Lead)})
		return n.drain(out, nil)
	}
	n.reads = append(n.reads, pendingRead{command: *c, term: status.HardState.GetTerm()})
	n.raw.ReadIndex(readContext(c.ID))
	return n.drain(out, nil)
}

// readContext is the request context etcd carries for a read: the command id, in decimal.
func readContext(commandID int64) []byte {
	return []byte(strconv.FormatInt(commandID, 10))
}

// confirmRead records etcd's ReadState for a read (unknown ones were refused already).
func (n *node) confirmRead(state raft.ReadState) {
	for i := range n.reads {
		if !n.reads[i].confirmed && bytes.Equal(readContext(n.reads[i].command.ID), state.RequestCtx) {
			n.reads[i].confirmed, n.reads[i].index = true, state.Index
			return
		}
	}
}

// serveReads answers the reads whose read index is applied, and refuses those etcd forgot.
func (n *node) serveReads(out *output) {
	if len(n.reads) == 0 {
		return
	}
	status := n.raw.BasicStatus()
	stillLeader := status.RaftState == raft.StateLeader
	kept := n.reads[:0]
	for _, r := range n.reads {
		switch {
		case r.confirmed && n.appliedIndex >= r.index:
			out.Answers = append(out.Answers, readAnswer{CommandID: r.command.ID, Kind: "read", Value: n.store.Get(r.command.Key)})
		case !r.confirmed && (!stillLeader || status.HardState.GetTerm() != r.term):
			out.Answers = append(out.Answers, notLeaderAnswer{CommandID: r.command.ID, Kind: "notLeader", LeaderHint: optionalID(status.Lead)})
		default:
			kept = append(kept, r)
		}
	}
	n.reads = kept
}

// drain handles every Ready until etcd has nothing more: entries and HardState become a record,
// messages go out, committed entries are applied. If proposed is not nil, the index and term of
// the entry carrying its command are filled in from the Entries that bring it.
func (n *node) drain(out *output, proposed *acceptedAnswer) error {
	for rounds := 0; n.raw.HasReady(); rounds++ {
		if rounds > 1000 {
			return errors.New("etcd kept producing Ready structs (over 1000 for one input)")
		}
		handle := n.handleReady
		if n.async {
			handle = n.handleReadyAsync
		}
		if err := handle(n.raw.Ready(), out, proposed); err != nil {
			return err
		}
	}
	if err := n.compact(out); err != nil {
		return err
	}
	n.serveReads(out)
	// A message may acknowledge records written by an earlier input whose sync is still in
	// flight (a duplicate MsgApp answered while the original's entries are being synced), so
	// every output that sends asks for the barrier; it costs nothing when all is synced.
	if len(out.Messages) > 0 {
		out.Sync = true
	}
	out.State = n.view()
	return nil
}

// handleReady persists one Ready as one record (its snapshot, entries and HardState together:
// the harness loses whole records, so none survives a crash without the others, such as a
// HardState whose commit index passes the surviving entries), sends its messages, applies its
// committed entries and advances.
func (n *node) handleReady(rd raft.Ready, out *output, proposed *acceptedAnswer) error {
	var written record
	if !raft.IsEmptySnap(rd.Snapshot) {
		if err := n.install(rd.Snapshot, &written, out); err != nil {
			return err
		}
	}
	if len(rd.Entries) > 0 {
		if err := n.storage.Append(rd.Entries); err != nil {
			return err
		}
		written.Entries = entriesToRecord(rd.Entries)
		if err := n.mirrorEntries(rd.Entries, proposed); err != nil {
			return err
		}
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		if err := n.storage.SetHardState(rd.HardState); err != nil {
			return err
		}
		written.HardState = hardStateToRecord(rd.HardState)
	}
	if written.Entries != nil || written.HardState != nil || written.Snapshot != nil {
		out.Records = append(out.Records, written)
	}
	if rd.MustSync {
		out.Sync = true
	}
	for _, m := range rd.Messages {
		if err := n.send(m, out); err != nil {
			return err
		}
	}
	for _, e := range rd.CommittedEntries {
		applied, err := n.apply(e)
		if err != nil {
			return err
		}
		out.Applied = append(out.Applied, applied)
	}
	for _, state := range rd.ReadStates {
		n.confirmRead(state)
	}
	n.raw.Advance(rd)
	n.reportSnapshotsSent()
	return nil
}

func (n *node) send(m *pb.Message, out *output) error {
	if m.GetTo() == n.id {
		return nil // in synchronous-storage mode etcd keeps these to itself; be sure
	}
	switch m.GetType() {
	case pb.MsgVoteResp:
		if !m.GetReject() {
			n.timer.reset() // granted a vote
		}
	case pb.MsgSnap:
		n.snapshotsSent = append(n.snapshotsSent, m.GetTo())
	}
	encoded, err := encodeMessage(m)
	if err != nil {
		return err
	}
	out.Messages = append(out.Messages, encoded)
	return nil
}

// mirrorEntries applies Ready.Entries to the log mirror: they overwrite it from their first index
// (always after the snapshot: etcd never overwrites committed entries).
func (n *node) mirrorEntries(entries []*pb.Entry, proposed *acceptedAnswer) error {
	first := entries[0].GetIndex()
	if first <= n.snapshotIndex || first > n.snapshotIndex+uint64(len(n.log))+1 {
		return fmt.Errorf("etcd wrote entries from %d over a log of %d..%d", first, n.snapshotIndex+1, n.snapshotIndex+uint64(len(n.log)))
	}
	n.log = n.log[:first-1-n.snapshotIndex]
	n.confUnapplied = dropFrom(n.confUnapplied, first)
	for _, e := range entries {
		id := commandIDOf(e)
		if isConfChange(e) {
			n.confIndexLatest = max(n.confIndexLatest, e.GetIndex())
			n.confUnapplied = append(n.confUnapplied, e.GetIndex())
		}
		n.log = append(n.log, logEntryView{Term: e.GetTerm(), CommandID: id})
		if proposed != nil && id == proposed.CommandID && proposed.Index == 0 {
			proposed.Index, proposed.Term = e.GetIndex(), e.GetTerm()
		}
	}
	if n.logDirtyFrom == 0 || first < n.logDirtyFrom {
		n.logDirtyFrom = first
	}
	return nil
}

// apply applies one committed entry: a command to the key-value store, a configuration change
// to etcd.
func (n *node) apply(e *pb.Entry) (appliedEntry, error) {
	n.appliedIndex = e.GetIndex()
	applied := appliedEntry{Index: e.GetIndex(), Term: e.GetTerm()}
	if isConfChange(e) {
		id, err := n.applyConfChange(e)
		applied.CommandID = id
		return applied, err
	}
	if len(e.GetData()) == 0 {
		return applied, nil // etcd's own entry: the empty entry of a new leader
	}
	c, err := raftcheck.DecodeCommand(e.GetData())
	if err != nil {
		return applied, fmt.Errorf("entry %d holds data that is not a command: %w", e.GetIndex(), err)
	}
	applied.CommandID = c.ID
	applied.Result = raftcheck.AppendOptionalString(nil, n.store.Apply(&c))
	return applied, nil
}

func isConfChange(e *pb.Entry) bool {
	return e.GetType() == pb.EntryConfChange || e.GetType() == pb.EntryConfChangeV2
}

func (n *node) view() *stateView {
	status := n.raw.BasicStatus()
	v := &stateView{
		Role:          roleName(status.RaftState),
		Term:          status.HardState.GetTerm(),
		VotedFor:      optionalID(status.HardState.GetVote()),
		CommitIndex:   status.HardState.GetCommit(),
		AppliedIndex:  n.appliedIndex,
		LeaderHint:    optionalID(status.Lead),
		SnapshotIndex: new(n.snapshotIndex),
		SnapshotTerm:  new(n.snapshotTerm),
	}
	if n.async {
		v.CommitIndex = n.commitIndexShown(v.CommitIndex)
	}
	if n.configurationChanged {
		v.Configuration = n.configurationView()
		n.configurationChanged = false
	}
	if n.logDirtyFrom != 0 {
		entries := append([]logEntryView{}, n.log[n.logDirtyFrom-1-n.snapshotIndex:]...)
		v.Log = &logDelta{From: n.logDirtyFrom, Entries: entries}
		n.logDirtyFrom = 0
	}
	return v
}

func roleName(state raft.StateType) string {
	switch state {
	case raft.StateLeader:
		return "leader"
	case raft.StateCandidate, raft.StatePreCandidate:
		return "candidate"
	default:
		return "follower"
	}
}

// optionalID is etcd's "none" (0) as null.
func optionalID(id uint64) *uint64 {
	if id == raft.None {
		return nil
	}
	return &id
}
