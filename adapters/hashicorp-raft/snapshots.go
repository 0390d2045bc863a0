// Snapshots (docs/CONTRACT.md, "Snapshots"): hashicorp/raft's SnapshotStore as raftcheck's durable
// records, and the FSM's snapshots of the reference key-value state (adapters/raftcheck-go's
// StoreState, encoded as JSON). hashicorp takes a snapshot itself (runSnapshots: every
// SnapshotInterval, once SnapshotThreshold entries follow the last one), persists the FSM's bytes
// through Create and the sink, then compacts its log (DeleteRange); a follower that needs entries
// its leader compacted gets InstallSnapshot, which hashicorp spills into Create's sink and restores
// through Open and FSM.Restore; NewRaft restores the newest snapshot List names. Each sink closed
// is one durable record (index, term, configuration and its index, the FSM's bytes), synced with
// the output like every other write; a start replays them, so a restarted node comes back from
// its snapshot plus its log.
//
// The store is the stores' (stores.go): its records go in the same order as the log's, so that a
// compaction's DeleteRange always follows the snapshot that made it safe.

package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

// snapshotsRetained is how many snapshots the store keeps, as Consul's FileSnapshotStore does.
const snapshotsRetained = 2

// snapshotRecord is a snapshot as a durable record holds it. Sequence numbers the snapshots a
// node wrote (its ID's last part, as FileSnapshotStore's timestamp), so that List orders them the
// same way after a restart.
type snapshotRecord struct {
	Sequence           uint64               `json:"sequence"`
	Version            raft.SnapshotVersion `json:"version"`
	Index              uint64               `json:"index"`
	Term               uint64               `json:"term"`
	Configuration      raft.Configuration   `json:"configuration"`
	ConfigurationIndex uint64               `json:"configurationIndex"`
	// State is the FSM's bytes: a raftcheck.StoreState in JSON.
	State json.RawMessage `json:"state"`
}

func (r *snapshotRecord) id() string { return fmt.Sprintf("%d-%d-%d", r.Term, r.Index, r.Sequence) }

func (r *snapshotRecord) meta() *raft.SnapshotMeta {
	return &raft.SnapshotMeta{Version: r.Version, ID: r.id(), Index: r.Index, Term: r.Term, Configuration: r.Configuration, ConfigurationIndex: r.ConfigurationIndex, Size: int64(len(r.State))}
}

// view is the snapshot as the contract shows it.
func (r *snapshotRecord) view() (*raftcheck.SnapshotView, error) {
	var state raftcheck.StoreState
	if err := json.Unmarshal(r.State, &state); err != nil {
		return nil, fmt.Errorf("snapshot %s holds data that is not a state machine: %w", r.id(), err)
	}
	return state.View(r.Index, r.Term, contractConfiguration(r.Configuration)), nil
}

// newer orders snapshots as FileSnapshotStore lists them: term, then index, then ID, newest first.
func newer(a, b *snapshotRecord) int {
	return cmp.Or(cmp.Compare(b.Term, a.Term), cmp.Compare(b.Index, a.Index), cmp.Compare(b.Sequence, a.Sequence))
}

// keepSnapshot adds a snapshot closed (or replayed) to the store and reaps the oldest beyond
// snapshotsRetained.
func (s *stores) keepSnapshot(r *snapshotRecord) {
	s.snapshotsWritten = max(s.snapshotsWritten, r.Sequence)
	s.snapshots = append(s.snapshots, r)
	slices.SortFunc(s.snapshots, newer)
	if len(s.snapshots) > snapshotsRetained {
		s.snapshots = s.snapshots[:snapshotsRetained]
	}
}

// Create begins a snapshot; its sink's Close writes it.
func (s *stores) Create(version raft.SnapshotVersion, index, term uint64, configuration raft.Configuration, configurationIndex uint64, _ raft.Transport) (raft.SnapshotSink, error) {
	s.snapshotsWritten++
	r := &snapshotRecord{Sequence: s.snapshotsWritten, Version: version, Index: index, Term: term, Configuration: configuration.Clone(), ConfigurationIndex: configurationIndex}
	return &snapshotSink{stores: s, record: r}, nil
}

// List names the snapshots kept, newest first.
func (s *stores) List() ([]*raft.SnapshotMeta, error) {
	metas := make([]*raft.SnapshotMeta, len(s.snapshots))
	for i, r := range s.snapshots {
		metas[i] = r.meta()
	}
	return metas, nil
}

// Open reads a snapshot kept. The FSM's Restore that follows (hashicorp opens and restores in one
// go, without blocking between them) learns from opened which snapshot it restores.
func (s *stores) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	for _, r := range s.snapshots {
		if r.id() == id {
			s.opened = r
			return r.meta(), io.NopCloser(bytes.NewReader(r.State)), nil
		}
	}
	return nil, nil, fmt.Errorf("no snapshot %s", id)
}

// snapshotSink collects a snapshot's bytes; Close keeps it and writes its record. taken: the bytes
// came from this node's FSM (Persist), not from a leader's InstallSnapshot.
type snapshotSink struct {
	stores *stores
	record *snapshotRecord
	buffer bytes.Buffer
	taken  bool
	done   bool
}

func (k *snapshotSink) ID() string                  { return k.record.id() }
func (k *snapshotSink) Write(p []byte) (int, error) { return k.buffer.Write(p) }

func (k *snapshotSink) Cancel() error {
	k.done = true
	return nil
}

// Close keeps the snapshot (hashicorp closes a sink twice: Persist does, then takeSnapshot).
func (k *snapshotSink) Close() error {
	if k.done {
		return nil
	}
	k.done = true
	if !json.Valid(k.buffer.Bytes()) {
		return errors.New("a snapshot whose bytes are not this adapter's FSM state")
	}
	k.record.State = slices.Clone(k.buffer.Bytes())
	k.stores.keepSnapshot(k.record)
	k.stores.write(record{Snapshot: k.record})
	if k.taken {
		return k.stores.snapshotTaken(k.record)
	}
	return nil
}

// fsmSnapshot is the FSM's state at a snapshot, encoded when taken (hashicorp takes it on the FSM
// goroutine and persists it on another).
type fsmSnapshot struct{ state []byte }

func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	state, err := json.Marshal(f.kv.State())
	return &fsmSnapshot{state: state}, err
}

func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if own, ok := sink.(*snapshotSink); ok {
		own.taken = true
	}
	if _, err := sink.Write(s.state); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *fsmSnapshot) Release() {}

// Restore makes a snapshot the FSM's state: one a leader sent (installSnapshot), or the newest
// kept, at start. Applying goes on after its index.
func (f *fsm) Restore(source io.ReadCloser) error {
	opened := f.stores.opened
	defer source.Close()
	data, err := io.ReadAll(source)
	if err != nil {
		return err
	}
	if opened == nil {
		return errors.New("a restore of a snapshot the store did not open")
	}
	var state raftcheck.StoreState
	if err := json.Unmarshal(data, &state); err != nil {
		return fmt.Errorf("snapshot %s holds data that is not a state machine: %w", opened.id(), err)
	}
	f.kv = raftcheck.RestoredKeyValueStore(state)
	f.appliedIndex, f.reported = opened.Index, opened.Index
	clear(f.results)
	f.stores.snapshotInstalled(opened, state.View(opened.Index, opened.Term, contractConfiguration(opened.Configuration)))
	return nil
}
