// The JSON shapes of raftcheck's protocol (docs/PROTOCOL.md) this adapter reads and writes.

package main

import (
	"encoding/json"
	"slices"

	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

// The shared shapes (adapters/raftcheck-go), under this adapter's names.
type (
	command         = raftcheck.Command
	appliedEntry    = raftcheck.AppliedEntry
	logEntryView    = raftcheck.LogEntryView
	logDelta        = raftcheck.LogDelta
	stateView       = raftcheck.StateView
	keyValueStore   = raftcheck.KeyValueStore
	acceptedAnswer  = raftcheck.AcceptedAnswer
	notLeaderAnswer = raftcheck.NotLeaderAnswer
)

var newKeyValueStore = raftcheck.NewKeyValueStore

// input is one input line, as the shared module reads it.
type input = raftcheck.Input

type options struct {
	TickMs           int  `json:"tickMs"`
	ElectionTicksMin int  `json:"electionTicksMin"`
	ElectionTicksMax int  `json:"electionTicksMax"`
	HeartbeatTicks   int  `json:"heartbeatTicks"`
	PreVote          bool `json:"preVote"`
	// Feature snapshots: SnapshotThreshold (absent: never compact).
	SnapshotEntriesThreshold uint64 `json:"snapshotEntriesThreshold,omitempty"`
}

// envelope is a protocol message: the RPC's kind as its type, the term for reports, the body.
type envelope struct {
	Type string `json:"type"`
	Term uint64 `json:"term"`
	Body body   `json:"body"`
	// Only on the messages this node sends; a delivered message's view is not read back.
	View *messageView `json:"view,omitempty"`
}

// body carries one RPC request or response: its number (per sender) and hashicorp's own struct.
type body struct {
	Call    uint64          `json:"call"`
	Error   string          `json:"error,omitempty"`
	Payload json.RawMessage `json:"payload"`
	// An InstallSnapshot's snapshot: the bytes hashicorp streams from its store.
	Snapshot []byte `json:"snapshot,omitempty"`
}

type outbound struct {
	To      uint64   `json:"to"`
	Message envelope `json:"message"`
}

type output struct {
	Messages []outbound     `json:"messages"`
	Records  []any          `json:"records"`
	Sync     bool           `json:"sync"`
	Applied  []appliedEntry `json:"applied"`
	Answers  []any          `json:"answers"`
	State    *stateView     `json:"state,omitempty"`
	// Feature snapshots: a snapshot installed (from a leader, or restored at start), or taken.
	SnapshotInstalled *raftcheck.SnapshotView `json:"snapshotInstalled,omitempty"`
	SnapshotTaken     *raftcheck.SnapshotView `json:"snapshotTaken,omitempty"`
}

// record is one durable write, in the order hashicorp made them: logs stored, a range of logs
// deleted, a stable-store key set, or a snapshot. A start replays them in order.
type record struct {
	Snapshot   *snapshotRecord   `json:"snapshot,omitempty"`
	Logs       []json.RawMessage `json:"logs,omitempty"`
	DeleteFrom uint64            `json:"deleteFrom,omitempty"`
	DeleteTo   uint64            `json:"deleteTo,omitempty"`
	Key        string            `json:"key,omitempty"`
	Value      []byte            `json:"value,omitempty"`
}

// contractConfiguration is a hashicorp configuration in the contract's shape: voters, and its
// nonvoters as learners (hashicorp has no joint configurations).
func contractConfiguration(configuration raft.Configuration) raftcheck.Configuration {
	out := raftcheck.Configuration{Voters: []uint64{}, Learners: []uint64{}, VotersOutgoing: []uint64{}}
	for _, server := range configuration.Servers {
		if server.Suffrage == raft.Voter {
			out.Voters = append(out.Voters, nodeOf(raft.ServerAddress(server.ID)))
		} else {
			out.Learners = append(out.Learners, nodeOf(raft.ServerAddress(server.ID)))
		}
	}
	slices.Sort(out.Voters)
	slices.Sort(out.Learners)
	return out
}
