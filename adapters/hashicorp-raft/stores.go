// hashicorp/raft's LogStore, StableStore and SnapshotStore (snapshots.go) as raftcheck's durable
// records: every write is kept in memory and queued as a record for the current output, which the
// node then answers with sync true (hashicorp assumes a write is durable once it returns, before
// it sends anything). A start rebuilds the stores by replaying the surviving records in order.

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

type stores struct {
	logs   map[uint64]*raft.Log
	first  uint64
	last   uint64
	stable map[string][]byte
	// Records written since the last output, and the lowest log index changed since then.
	pending       []any
	lowestChanged uint64
	replaying     bool
	// A membership change handed to hashicorp (its id, 0: none): the configuration entry the
	// leader stores next carries it in its Extensions (membership.go); that entry's position.
	changeID    int64
	changeEntry *entryPosition
	// The snapshots kept, newest first (snapshots.go); how many this node wrote; the one last
	// opened (for the FSM's Restore that follows).
	snapshots        []*snapshotRecord
	snapshotsWritten uint64
	opened           *snapshotRecord
	// The latest snapshot (hashicorp's lastSnapshot: taken, installed or restored; nil: none),
	// and since the last output, the snapshots taken and installed, for the output.
	latest    *snapshotRecord
	taken     *raftcheck.SnapshotView
	installed *raftcheck.SnapshotView
	// Entries a compaction deleted before the output reported them applied: their views, for
	// that output (reportedTo: the last index reported applied). Made only under a snapshot: a
	// map drawn from the runtime's generator would move every schedule (BENCHMARKS.md).
	compacted  map[uint64]logEntryView
	reportedTo uint64
}

type entryPosition struct{ Index, Term uint64 }

func newStores() *stores {
	return &stores{logs: map[uint64]*raft.Log{}, stable: map[string][]byte{}}
}

// replay rebuilds the stores from records, writing nothing new.
func (s *stores) replay(records []json.RawMessage) error {
	s.replaying = true
	defer func() { s.replaying = false }()
	for index, raw := range records {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		switch {
		case r.Snapshot != nil:
			s.keepSnapshot(r.Snapshot)
		case r.Logs != nil:
			logs := make([]*raft.Log, len(r.Logs))
			for i, encoded := range r.Logs {
				logs[i] = &raft.Log{}
				if err := json.Unmarshal(encoded, logs[i]); err != nil {
					return fmt.Errorf("record %d, log %d: %w", index, i, err)
				}
			}
			s.StoreLogs(logs)
		case r.DeleteTo != 0:
			s.DeleteRange(r.DeleteFrom, r.DeleteTo)
		default:
			s.Set([]byte(r.Key), r.Value)
		}
	}
	s.pending = nil
	s.lowestChanged = 0
	return nil
}

func (s *stores) write(r record) {
	if !s.replaying {
		s.pending = append(s.pending, r)
	}
}

func (s *stores) changed(index uint64) {
	if s.lowestChanged == 0 || index < s.lowestChanged {
		s.lowestChanged = index
	}
}

func (s *stores) FirstIndex() (uint64, error) { return s.first, nil }
func (s *stores) LastIndex() (uint64, error)  { return s.last, nil }

func (s *stores) GetLog(index uint64, log *raft.Log) error {
	stored, ok := s.logs[index]
	if !ok {
		return raft.ErrLogNotFound
	}
	*log = *stored
	return nil
}

func (s *stores) StoreLog(log *raft.Log) error { return s.StoreLogs([]*raft.Log{log}) }

func (s *stores) StoreLogs(logs []*raft.Log) error {
	encoded := make([]json.RawMessage, 0, len(logs))
	for _, log := range logs {
		copied := *log
		if s.changeID != 0 && log.Type == raft.LogConfiguration {
			copied.Extensions = strconv.AppendInt(nil, s.changeID, 10)
			s.changeEntry = &entryPosition{Index: log.Index, Term: log.Term}
			s.changeID = 0
		}
		s.logs[log.Index] = &copied
		if s.first == 0 || log.Index < s.first {
			s.first = log.Index
		}
		if log.Index > s.last {
			s.last = log.Index
		}
		s.changed(log.Index)
		bytes, err := json.Marshal(&copied)
		if err != nil {
			return err
		}
		encoded = append(encoded, bytes)
	}
	s.write(record{Logs: encoded})
	return nil
}

// DeleteRange deletes a suffix that conflicts with a leader's log, or compacts a prefix that the
// latest snapshot covers: the view's log starts after the snapshot, so a compaction changes none
// of it.
func (s *stores) DeleteRange(min, max uint64) error {
	for index := min; index <= max; index++ {
		if log, ok := s.logs[index]; ok && index > s.reportedTo && index <= s.snapshotIndex() {
			if s.compacted == nil {
				s.compacted = map[uint64]logEntryView{}
			}
			s.compacted[index] = logEntryView{Term: log.Term, CommandID: commandID(log)}
		}
		delete(s.logs, index)
	}
	s.bounds(min, max)
	if max > s.snapshotIndex() {
		s.changed(min)
	}
	s.write(record{DeleteFrom: min, DeleteTo: max})
	return nil
}

// bounds moves the first and last indexes past a range deleted. hashicorp may ask to delete
// indexes the store does not hold (it compacts from FirstIndex, 0 for an empty log, up to the
// last index it remembers writing, which an installed snapshot does not reset).
func (s *stores) bounds(min, max uint64) {
	if len(s.logs) == 0 {
		s.first, s.last = 0, 0
		return
	}
	if min <= s.first {
		for s.first = max + 1; s.logs[s.first] == nil; s.first++ {
		}
	}
	if max >= s.last {
		for s.last = min - 1; s.logs[s.last] == nil; s.last-- {
		}
	}
}

func (s *stores) Set(key []byte, value []byte) error {
	s.stable[string(key)] = append([]byte(nil), value...)
	s.write(record{Key: string(key), Value: value})
	return nil
}

func (s *stores) Get(key []byte) ([]byte, error) {
	value, ok := s.stable[string(key)]
	if !ok {
		return nil, errors.New("not found")
	}
	return value, nil
}

func (s *stores) SetUint64(key []byte, value uint64) error {
	return s.Set(key, []byte(fmt.Sprint(value)))
}

func (s *stores) GetUint64(key []byte) (uint64, error) {
	value, ok := s.stable[string(key)]
	if !ok {
		return 0, nil
	}
	var number uint64
	_, err := fmt.Sscan(string(value), &number)
	return number, err
}

// takeRecords returns the records written since the last call.
func (s *stores) takeRecords() []any {
	records := s.pending
	s.pending = nil
	if records == nil {
		return []any{}
	}
	return records
}

// entryView is a log entry as the state view shows it: its term and its command's id (a
// configuration entry's: its change's; 0 for hashicorp's own entries). An entry compacted before
// it was reported applied is still known, until that output.
func (s *stores) entryView(index uint64) logEntryView {
	log, ok := s.logs[index]
	if !ok {
		return s.compacted[index]
	}
	return logEntryView{Term: log.Term, CommandID: commandID(log)}
}

func commandID(log *raft.Log) int64 {
	if log.Type == raft.LogConfiguration {
		return changeIDOf(log)
	}
	if log.Type != raft.LogCommand {
		return 0
	}
	var c command
	if json.Unmarshal(log.Data, &c) != nil {
		return 0
	}
	return c.ID
}

// indexOf finds the entry of a command in the log, newest first.
func (s *stores) indexOf(commandIdentifier int64) (uint64, uint64, bool) {
	for index := s.last; index >= s.first && index > 0; index-- {
		if log, ok := s.logs[index]; ok && log.Type == raft.LogCommand && commandID(log) == commandIdentifier {
			return index, log.Term, true
		}
	}
	return 0, 0, false
}

// changeIDOf is the change id a configuration entry carries in its Extensions (0: none, as the
// bootstrap configuration).
func changeIDOf(log *raft.Log) int64 {
	id, err := strconv.ParseInt(string(log.Extensions), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// snapshotIndex and snapshotTerm are the latest snapshot's (0 and 0: none).
func (s *stores) snapshotIndex() uint64 {
	if s.latest == nil {
		return 0
	}
	return s.latest.Index
}

func (s *stores) snapshotTerm() uint64 {
	if s.latest == nil {
		return 0
	}
	return s.latest.Term
}

// snapshotTaken notes a snapshot this node took: its latest, and the output's snapshotTaken.
func (s *stores) snapshotTaken(r *snapshotRecord) error {
	view, err := r.view()
	if err != nil {
		return err
	}
	s.latest, s.taken = r, view
	return nil
}

// snapshotInstalled notes a snapshot the FSM restored: its latest, and the output's
// snapshotInstalled. The view's log starts over after it (hashicorp keeps the entries past it).
func (s *stores) snapshotInstalled(r *snapshotRecord, view *raftcheck.SnapshotView) {
	s.latest, s.installed = r, view
	s.changed(r.Index + 1)
}
