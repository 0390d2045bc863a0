// The replicated key-value state machine, with exactly the semantics of raftcheck's reference
// (src/raft/kv.ts): the harness compares results across implementations and checks client
// histories for linearizability, so any difference here would read as a bug in the library
// under test. Shared by raftcheck's Go adapters (etcd-raft, hashicorp-raft).

package raftcheck

import (
	"cmp"
	"slices"
)

type clientSession struct {
	sequence int64
	result   *string
}

// KeyValueStore is the state machine.
type KeyValueStore struct {
	values map[string]string
	// Client sessions (client id -> last sequence applied and its result) make a retried command
	// apply exactly once (Raft thesis 6.3).
	sessions map[int64]clientSession
}

// NewKeyValueStore is an empty state machine.
func NewKeyValueStore() *KeyValueStore {
	return &KeyValueStore{values: map[string]string{}, sessions: map[int64]clientSession{}}
}

// Apply applies a command and returns its result: the value read for get, the previous value for
// set, append and del; nil is null (no value).
func (s *KeyValueStore) Apply(c *Command) *string {
	hasSession := c.Client != nil && c.Sequence != nil
	if hasSession {
		if last, ok := s.sessions[*c.Client]; ok && *c.Sequence <= last.sequence {
			return last.result
		}
	}
	var previous *string
	if value, ok := s.values[c.Key]; ok {
		previous = &value
	}
	result := previous
	switch c.Op {
	case "set":
		value := ""
		if c.Value != nil {
			value = *c.Value
		}
		s.values[c.Key] = value
	case "del":
		delete(s.values, c.Key)
	case "append":
		// A missing key counts as the empty string.
		value := ""
		if previous != nil {
			value = *previous
		}
		if c.Value != nil {
			value += *c.Value
		}
		s.values[c.Key] = value
	case "get":
		// result is the value read
	}
	if hasSession {
		s.sessions[*c.Client] = clientSession{sequence: *c.Sequence, result: result}
	}
	return result
}

// Get reads a key without applying anything (for reads served by ReadIndex).
func (s *KeyValueStore) Get(key string) *string {
	if value, ok := s.values[key]; ok {
		return &value
	}
	return nil
}

// StoreState is the state machine's whole contents, as a snapshot carries them: the values and
// the client sessions (so that a command retried after compaction still applies once).
type StoreState struct {
	Data     map[string]string `json:"data"`
	Sessions []SessionState    `json:"sessions"`
}

// SessionState is one client's session: the last sequence applied and its result.
type SessionState struct {
	Client   int64   `json:"client"`
	Sequence int64   `json:"sequence"`
	Result   *string `json:"result"`
}

// State copies the contents out, sessions in client order (encoding/json sorts the map's keys),
// so that the same state always encodes to the same bytes.
func (s *KeyValueStore) State() StoreState {
	state := StoreState{Data: make(map[string]string, len(s.values)), Sessions: make([]SessionState, 0, len(s.sessions))}
	for key, value := range s.values {
		state.Data[key] = value
	}
	for client, session := range s.sessions {
		state.Sessions = append(state.Sessions, SessionState{Client: client, Sequence: session.sequence, Result: session.result})
	}
	slices.SortFunc(state.Sessions, func(a, b SessionState) int { return cmp.Compare(a.Client, b.Client) })
	return state
}

// RestoredKeyValueStore is a state machine holding a snapshot's contents.
func RestoredKeyValueStore(state StoreState) *KeyValueStore {
	s := NewKeyValueStore()
	for key, value := range state.Data {
		s.values[key] = value
	}
	for _, session := range state.Sessions {
		s.sessions[session.Client] = clientSession{sequence: session.Sequence, result: session.Result}
	}
	return s
}

// View is the snapshot of these contents at (index, term) under configuration, as the contract
// shows it (SnapshotView in contract.ts): its data never null.
func (s StoreState) View(index, term uint64, configuration Configuration) *SnapshotView {
	data := s.Data
	if data == nil {
		data = map[string]string{}
	}
	return &SnapshotView{Index: index, Term: term, Configuration: configuration, Data: data}
}
