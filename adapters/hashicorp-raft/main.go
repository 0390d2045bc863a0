//go:build wasip1

// hashicorp-raft is raftcheck's adapter for hashicorp/raft (the library under Consul, Nomad and
// Vault), built for wasip1 and run in-process by raftcheck's wasm host, in virtual time
// (docs/PROTOCOL.md, "Time-driven guests"). One wasm instance is one node: hashicorp's own
// goroutines, timers and math/rand run unmodified; the host's clock, seeded randomness and idle
// signal make the run a function of the inputs and the seed.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o bin/hashicorp-raft.wasm .

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

const raftModule = "github.com/hashicorp/raft"

var (
	// The host's idle signal: a read returns once every goroutine is blocked and no timer is due
	// before the input's end time.
	idle    = os.NewFile(4, "raftcheck-idle")
	current *node
	// Not restartable: the host makes a new instance for each node instance.
	conversation = &raftcheck.Session{
		Hello: raftcheck.Hello{
			Name: "hashicorp-raft", Version: raftVersion(), Timing: "clock",
			// Not checkQuorum (hashicorp's leader always steps down without a quorum: no switch)
			// nor leaseReads (it has none); leadership.go says why. No removedNodeGuards: hashicorp
			// refuses the votes and pre-votes of a node outside its latest configuration, whatever
			// the options.
			Features: []string{"membership", "snapshots", "preVote", "leadershipTransfer"},
		},
		Handle: handle,
	}
)

func main() {} // a reactor: the host calls _initialize, then raftcheck_step

//go:wasmexport raftcheck_step
func raftcheckStep() {
	conversation.Step()
}

func waitIdle() {
	var signal [1]byte
	if _, err := idle.Read(signal[:]); err != nil {
		panic(err)
	}
}

func handle(in *input) ([]byte, error) {
	if in.Kind == "start" {
		if current != nil {
			return nil, fmt.Errorf("a second start: the host makes a new instance for each")
		}
		n, err := startNode(in)
		if err != nil {
			return nil, err
		}
		current = n
	} else if current == nil {
		return nil, fmt.Errorf("%q before start", in.Kind)
	}
	return current.step(in)
}

type node struct {
	id        uint64
	raft      *raft.Raft
	stores    *stores
	transport *transport
	fsm       *fsm
	// Proposals accepted by raft.Apply whose index is not answered yet.
	proposals []int64
	answers   []any
	// A transfer handed to hashicorp by this input, answered once the node is idle.
	transfer *adminInFlight
	// A membership change handed to hashicorp by this input, answered once the node is idle.
	change *adminInFlight
	// hashicorp's configurations, and the view of them last sent.
	configurations    *configurations
	configurationSent *raftcheck.ConfigurationView
	// The first output sends the whole log.
	viewed bool
}

func startNode(in *input) (*node, error) {
	stores := newStores()
	n := &node{id: in.ID, stores: stores, fsm: newFSM(stores), answers: []any{}}
	if err := n.stores.replay(in.Records); err != nil {
		return nil, err
	}
	var o options
	if err := json.Unmarshal(in.Options, &o); err != nil {
		return nil, fmt.Errorf("start: options: %w", err)
	}
	tickMs := time.Duration(o.TickMs) * time.Millisecond
	election := time.Duration(o.ElectionTicksMin) * tickMs
	n.transport = newTransport(in.ID, 2*time.Duration(o.ElectionTicksMax)*tickMs, n.currentTerm)
	config := raft.DefaultConfig()
	config.LocalID = raft.ServerID(strconv.FormatUint(in.ID, 10))
	config.HeartbeatTimeout = election
	config.ElectionTimeout = election
	config.LeaderLeaseTimeout = election
	config.CommitTimeout = time.Duration(o.HeartbeatTicks) * tickMs
	config.PreVoteDisabled = !o.PreVote
	configureSnapshots(config, o)
	config.Logger = hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})
	snapshots := n.stores
	servers := make([]raft.Server, 0, len(in.Members))
	for _, member := range in.Members {
		servers = append(servers, raft.Server{ID: raft.ServerID(strconv.FormatUint(member, 10)), Address: address(member)})
	}
	// A node with state of its own ignores this (ErrCantBootstrap); a fresh one writes the
	// cluster's configuration as entry 1, the same on every node. A node that joins (no members)
	// starts with none and learns it from a leader's log.
	if len(servers) > 0 {
		if err := raft.BootstrapCluster(config, n.stores, n.stores, snapshots, n.transport, raft.Configuration{Servers: servers}); err != nil && err != raft.ErrCantBootstrap {
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
	}
	r, err := raft.NewRaft(config, n.fsm, n.stores, n.stores, snapshots, n.transport)
	if err != nil {
		return nil, fmt.Errorf("NewRaft: %w", err)
	}
	n.raft = r
	if n.configurations, err = configurationsOf(r); err != nil {
		return nil, err
	}
	return n, nil
}

// configureSnapshots maps the scenario's snapshotEntriesThreshold to hashicorp's own policy: it
// checks every SnapshotInterval (randomized between it and twice it; here the heartbeat interval,
// in virtual time) whether SnapshotThreshold entries follow its last snapshot, snapshots the FSM
// and compacts its log right up to the snapshot (TrailingLogs 0: the contract's log starts after
// it). Without a threshold it never does, and its snapshot goroutine never wakes.
func configureSnapshots(config *raft.Config, o options) {
	config.SnapshotThreshold = 1 << 62
	config.SnapshotInterval = 1 << 62
	if o.SnapshotEntriesThreshold > 0 {
		config.SnapshotThreshold = o.SnapshotEntriesThreshold
		config.SnapshotInterval = max(config.CommitTimeout, 5*time.Millisecond)
		config.TrailingLogs = 0
	}
}

func (n *node) step(in *input) ([]byte, error) {
	switch in.Kind {
	case "deliver":
		if in.Message == nil {
			return nil, fmt.Errorf("deliver without a message")
		}
		message := &envelope{Type: in.Message.Type, Term: in.Message.Term}
		if err := json.Unmarshal(in.Message.Body, &message.Body); err != nil {
			return nil, fmt.Errorf("deliver from %d: the body is not this adapter's: %w", in.From, err)
		}
		if err := n.transport.deliver(in.From, message); err != nil {
			return nil, err
		}
	case "propose":
		n.propose(in.Command)
	case "read":
		n.answers = append(n.answers, notLeaderAnswer{CommandID: in.Command.ID, Kind: "notLeader"})
	case "transferLeadership":
		if in.Transfer == nil {
			return nil, fmt.Errorf("transferLeadership without a transfer")
		}
		n.transferLeadership(in.Transfer)
	case "changeMembership":
		if in.Change == nil {
			return nil, fmt.Errorf("changeMembership without a change")
		}
		n.changeMembership(in.Change)
	}
	// start, advance, and everything each input set off: run until idle.
	waitIdle()
	out, err := n.output()
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

func (n *node) propose(c *command) {
	if n.raft.State() != raft.Leader {
		n.answers = append(n.answers, notLeaderAnswer{CommandID: c.ID, Kind: "notLeader", LeaderHint: n.leaderHint()})
		return
	}
	data, _ := json.Marshal(c)
	n.raft.Apply(data, 0)
	n.proposals = append(n.proposals, c.ID)
}

func (n *node) output() (*output, error) {
	out := &output{Messages: n.transport.takeMessages(), Answers: n.answers, Applied: n.fsm.takeApplied(n.raft.AppliedIndex())}
	out.SnapshotInstalled, out.SnapshotTaken = n.stores.installed, n.stores.taken
	n.stores.installed, n.stores.taken = nil, nil
	n.answers = []any{}
	if n.transfer != nil {
		out.Answers = append(out.Answers, n.transferAnswered())
	}
	if n.change != nil {
		answer, err := n.changeAnswered()
		if err != nil {
			return nil, err
		}
		out.Answers = append(out.Answers, answer)
	}
	for _, id := range n.proposals {
		if index, term, ok := n.stores.indexOf(id); ok {
			out.Answers = append(out.Answers, acceptedAnswer{CommandID: id, Kind: "accepted", Index: index, Term: term})
		} else {
			out.Answers = append(out.Answers, notLeaderAnswer{CommandID: id, Kind: "notLeader", LeaderHint: n.leaderHint()})
		}
	}
	n.proposals = nil
	out.Records = n.stores.takeRecords()
	// Every output that sends asks for the barrier, as etcd-raft's does: hashicorp's stores are
	// durable when a write returns, so a message may rest on a write of an earlier input whose
	// sync is still in flight (a vote cast, then its response resent). Without it the harness
	// sent such messages before the write was durable, and a crash lost what they promised.
	out.Sync = len(out.Records) > 0 || len(out.Messages) > 0
	out.State = n.view()
	return out, nil
}

func (n *node) currentTerm() uint64 {
	term, _ := n.stores.GetUint64([]byte("CurrentTerm"))
	return term
}

func (n *node) leaderHint() *uint64 {
	address, _ := n.raft.LeaderWithID()
	if address == "" {
		return nil
	}
	id := nodeOf(address)
	return &id
}

func (n *node) view() *stateView {
	term := n.currentTerm()
	voteTerm, _ := n.stores.GetUint64([]byte("LastVoteTerm"))
	var votedFor *uint64
	if candidate, err := n.stores.Get([]byte("LastVoteCand")); err == nil && voteTerm == term && len(candidate) > 0 {
		id := nodeOf(raft.ServerAddress(candidate))
		votedFor = &id
	}
	roles := map[raft.RaftState]string{raft.Follower: "follower", raft.Candidate: "candidate", raft.Leader: "leader", raft.Shutdown: "follower"}
	snapshotIndex, snapshotTerm := n.stores.snapshotIndex(), n.stores.snapshotTerm()
	view := &stateView{Role: roles[n.raft.State()], Term: term, VotedFor: votedFor, CommitIndex: n.raft.CommitIndex(), AppliedIndex: n.fsm.appliedIndex, LeaderHint: n.leaderHint(), SnapshotIndex: &snapshotIndex, SnapshotTerm: &snapshotTerm}
	// The log as a delta, after the latest snapshot (hashicorp may hold entries under it until it
	// compacts them, and a follower's delayed append may write some there).
	from := n.stores.lowestChanged
	if !n.viewed {
		from = 1
		n.viewed = true
	}
	if from != 0 {
		from = max(from, snapshotIndex+1)
		entries := []logEntryView{}
		for index := from; index <= n.stores.last && n.stores.last != 0; index++ {
			entries = append(entries, n.stores.entryView(index))
		}
		view.Log = &logDelta{From: from, Entries: entries}
		n.stores.lowestChanged = 0
	}
	// Sent at start and whenever it changes.
	if configuration := n.configurations.view(n.stores); n.configurationSent == nil || !reflect.DeepEqual(configuration, n.configurationSent) {
		view.Configuration = configuration
		n.configurationSent = configuration
	}
	return view
}

// raftVersion is the version of hashicorp/raft this module was built with.
func raftVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dependency := range info.Deps {
			if dependency.Path == raftModule {
				return dependency.Version
			}
		}
	}
	return "unknown"
}
