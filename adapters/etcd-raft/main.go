// etcd-raft is raftcheck's adapter for etcd's raft library (go.etcd.io/raft/v3): one process per
// simulated node, driven over raftcheck's process protocol (version 1). It reads one JSON input
// per line on stdin and writes exactly one JSON line on stdout for each; logs go to stderr only.
//
// Set RAFTCHECK_ETCD_LOG=info (or debug) to see etcd's own log lines on stderr; by default only
// its warnings and errors are written, since a run feeds every node thousands of inputs.

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"

	"go.etcd.io/raft/v3"
)

const raftModule = "go.etcd.io/raft/v3"

func main() {
	logger := newLogger(os.Getenv("RAFTCHECK_ETCD_LOG"))
	session := &session{logger: logger}
	if err := serve(os.Stdin, os.Stdout, session); err != nil {
		fmt.Fprintf(os.Stderr, "etcd-raft adapter: %v\n", err)
		os.Exit(1)
	}
}

// serve answers every input line with one output line until the input ends.
func serve(in io.Reader, out io.Writer, s *session) error {
	reader := bufio.NewReaderSize(in, 1<<16)
	writer := bufio.NewWriterSize(out, 1<<16)
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) > 0 {
			answer, stepErr := s.handle(line)
			if stepErr != nil {
				return stepErr
			}
			answer = append(answer, '\n')
			if _, err := writer.Write(answer); err != nil {
				return err
			}
			// The harness waits for this line before it sends the next input.
			if err := writer.Flush(); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// session is one process's conversation: hello first, then start, then any other inputs.
type session struct {
	logger  raft.Logger
	helloed bool
	node    *node
}

// handle takes one input line and returns the answer line (without its newline).
func (s *session) handle(line []byte) ([]byte, error) {
	var in input
	if err := json.Unmarshal(line, &in); err != nil {
		return nil, fmt.Errorf("input is not JSON: %w: %.200q", err, line)
	}
	if !s.helloed {
		if in.Kind != "hello" {
			return nil, fmt.Errorf("expected hello first, got %q", in.Kind)
		}
		if in.Protocol != protocolVersion {
			// Answer anyway: the harness compares versions and explains the mismatch.
			fmt.Fprintf(os.Stderr, "etcd-raft adapter: harness speaks protocol %d, this adapter %d\n", in.Protocol, protocolVersion)
		}
		s.helloed = true
		return json.Marshal(helloAnswer{Protocol: protocolVersion, Name: "etcd-raft", Version: raftVersion(), Restartable: true})
	}
	out := newOutput()
	switch {
	case in.Kind == "start":
		// Restartable (see hello): a second start is a fresh instance; the old one is dropped
		// whole, as a crash drops it.
		s.node = nil
		n, err := startNode(&in, s.logger)
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
		if err := s.node.step(&in, out); err != nil {
			return nil, fmt.Errorf("node %d, input %s: %w", s.node.id, in.Kind, err)
		}
	}
	return json.Marshal(out)
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
