//go:build wasip1

// hashicorp/raft's LogStore and StableStore as raftcheck's durable records: every write is kept
// in memory and queued as a record for the current output, which the node then answers with
// sync true (hashicorp assumes a write is durable once it returns, before it sends anything). A
// start rebuilds both stores by replaying the surviving records in order.

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/raft"
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

func (s *stores) DeleteRange(min, max uint64) error {
	for index := min; index <= max; index++ {
		delete(s.logs, index)
	}
	if min <= s.first {
		s.first = max + 1
	}
	if max >= s.last {
		s.last = min - 1
	}
	if s.first > s.last {
		s.first, s.last = 0, 0
	}
	s.changed(min)
	s.write(record{DeleteFrom: min, DeleteTo: max})
	return nil
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
// configuration entry's: its change's; 0 for hashicorp's own entries).
func (s *stores) entryView(index uint64) logEntryView {
	log, ok := s.logs[index]
	if !ok {
		return logEntryView{}
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
