//go:build wasip1

// The FSM: the reference key-value semantics (adapters/raftcheck-go) over hashicorp's committed logs, and the
// applied entries raftcheck is told about. hashicorp hands the FSM only command entries; the
// entries between them (its no-ops, configurations) are reported from the log store, with
// commandId 0, so that the applied stream has every index in order.

package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/hashicorp/raft"
)

type fsm struct {
	kv           *keyValueStore
	appliedIndex uint64
	// Applied since the last output: index -> result, for the command entries.
	results  map[uint64]json.RawMessage
	reported uint64
}

func newFSM() *fsm { return &fsm{kv: newKeyValueStore(), results: map[uint64]json.RawMessage{}} }

func (f *fsm) Apply(log *raft.Log) any {
	var c command
	if err := json.Unmarshal(log.Data, &c); err != nil {
		return err
	}
	result, _ := json.Marshal(f.kv.Apply(&c))
	f.results[log.Index] = result
	f.appliedIndex = log.Index
	return nil
}

func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	return nil, errors.New("this adapter takes no snapshots")
}

func (f *fsm) Restore(io.ReadCloser) error { return errors.New("this adapter takes no snapshots") }

// takeApplied reports every entry up to lastApplied (raft's, which counts its own entries too),
// in order. At idle the FSM has applied every command up to it.
func (f *fsm) takeApplied(s *stores, lastApplied uint64) []appliedEntry {
	if lastApplied > f.appliedIndex {
		f.appliedIndex = lastApplied
	}
	applied := []appliedEntry{}
	for index := f.reported + 1; index <= f.appliedIndex; index++ {
		entry := s.entryView(index)
		applied = append(applied, appliedEntry{Index: index, Term: entry.Term, CommandID: entry.CommandID, Result: f.results[index]})
		delete(f.results, index)
	}
	f.reported = f.appliedIndex
	return applied
}
