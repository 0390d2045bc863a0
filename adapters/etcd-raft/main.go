// etcd-raft is raftcheck's adapter for etcd's raft library (go.etcd.io/raft/v3): one process per
// simulated node, driven over raftcheck's process protocol (version 2, every optional feature). It
// reads one JSON input per line on stdin and writes exactly one JSON line on stdout for each;
// logs go to stderr only.
//
// Set RAFTCHECK_ETCD_LOG=info (or debug) to see etcd's own log lines on stderr; by default only
// its warnings and errors are written, since a run feeds every node thousands of inputs.

package main

import (
	"fmt"
	"log"
	"os"
	"runtime/debug"

	"github.com/raftcheck/adapters/raftcheck-go"
	"go.etcd.io/raft/v3"
)

const raftModule = "go.etcd.io/raft/v3"

func main() {
	logger := newLogger(os.Getenv("RAFTCHECK_ETCD_LOG"))
	if err := newSession(logger).conversation.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "etcd-raft adapter: %v\n", err)
		os.Exit(1)
	}
}

// session is one process's conversation (raftcheck.Session: hello first, then start, then any
// other inputs) and the node it drives.
type session struct {
	logger       raft.Logger
	conversation *raftcheck.Session
	node         *node
}

func newSession(logger raft.Logger) *session {
	s := &session{logger: logger}
	s.conversation = &raftcheck.Session{
		Hello: raftcheck.Hello{
			Name: "etcd-raft", Version: raftVersion(), Restartable: true,
			Features: []string{"membership", "snapshots", "preVote", "checkQuorum", "leadershipTransfer", "leaseReads", "asyncStorageWrites"},
			// etcd names no number for ReadOnlyLeaseBased, only a bound ("it can be affected by
			// clock drift. If the clock drift is unbounded, leader might keep the lease longer than
			// it should"): the adapter declares the reference's 0.1, so that the shipped lease
			// scenario runs within it (README, "Options mapping").
			LeaseDriftMax: new(0.1),
			// etcd's raft ignores the vote requests of a removed node that keeps running only with
			// check-quorum (its inLease) or pre-vote on: raft.go's Step says so of the two
			// ("a removed node will send MsgVotes (or MsgPreVotes) which will be ignored"), and
			// etcd's server stops a member once it learns of its removal (docs/FINDINGS.md).
			RemovedNodeGuards: []string{"checkQuorum", "preVote"},
		},
		Handle: s.input,
	}
	return s
}

// handle takes one input line and returns the answer line (without its newline).
func (s *session) handle(line []byte) ([]byte, error) {
	return s.conversation.Line(line)
}

// input answers one input after hello.
func (s *session) input(in *input) ([]byte, error) {
	out := newOutput()
	switch {
	case in.Kind == "start":
		// Restartable (see hello): a second start is a fresh instance; the old one is dropped
		// whole, as a crash drops it.
		s.node = nil
		n, err := startNode(in, s.logger, out)
		if err != nil {
			return nil, err
		}
		s.node = n
		if err := n.drain(out, nil); err != nil {
			return nil, err
		}
	case s.node == nil:
		return nil, fmt.Errorf("%q before start", in.Kind)
	default:
		if err := s.node.step(in, out); err != nil {
			return nil, fmt.Errorf("node %d, input %s: %w", s.node.id, in.Kind, err)
		}
	}
	return out.appendJSON(make([]byte, 0, 512))
}

// raftVersion is the version of go.etcd.io/raft/v3 this binary was built with, from the build
// information the Go toolchain embeds (so it follows go.mod without a second place to edit).
func raftVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dependency := range info.Deps {
			if dependency.Path == raftModule {
				if dependency.Replace != nil {
					return dependency.Replace.Version
				}
				return dependency.Version
			}
		}
	}
	return "unknown"
}

// quietLogger is etcd's DefaultLogger without its info (and, unless asked, debug) lines.
type quietLogger struct {
	*raft.DefaultLogger
	info bool
}

func newLogger(level string) raft.Logger {
	base := &raft.DefaultLogger{Logger: log.New(os.Stderr, "etcd-raft ", 0)}
	if level == "debug" {
		base.EnableDebug()
	}
	return &quietLogger{DefaultLogger: base, info: level == "info" || level == "debug"}
}

func (l *quietLogger) Info(v ...any) {
	if l.info {
		l.DefaultLogger.Info(v...)
	}
}

func (l *quietLogger) Infof(format string, v ...any) {
	if l.info {
		l.DefaultLogger.Infof(format, v...)
	}
}
