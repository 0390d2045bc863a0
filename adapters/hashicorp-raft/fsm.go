// The FSM: the reference key-value semantics (adapters/raftcheck-go) over hashicorp's committed logs, and the
// applied entries raftcheck is told about. hashicorp hands the FSM only command entries; the
// entries between them (its no-ops, configurations) are reported from the log store, with
// commandId 0, so that the applied stream has every index in order. Its snapshots and restores are
// in snapshots.go.

package main

import (
	"encoding/json"

	"github.com/hashicorp/raft"
)

type fsm struct {
	stores       *stores
	kv           *keyValueStore
	appliedIndex uint64
	// Applied since the last output: index -> result, for the command entries.
	results  map[uint64]json.RawMessage
	reported uint64
}

func newFSM(s *stores) *fsm {
	return &fsm{stores: s, kv: newKeyValueStore(), results: map[uint64]json.RawMessage{}}
}

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

// takeApplied reports every entry up to lastApplied (raft's, which counts its own entries too),
// in order. At idle the FSM has applied every command up to it.
func (f *fsm) takeApplied(lastApplied uint64) []appliedEntry {
	s := f.stores
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
	s.reportedTo, s.compacted = f.reported, nil
	return applied
}
