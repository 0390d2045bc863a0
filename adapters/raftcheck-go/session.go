// One conversation of the process protocol (docs/PROTOCOL.md), the same for every Go adapter and
// for both of its builds: hello first, answered with the version and the features, then every
// other input handed to the adapter, one answer line for each. Serve runs it over a process's
// stdin and stdout; Step is the body of a wasm guest's raftcheck_step (one line per call).

package raftcheck

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// ProtocolVersion is the newest process protocol version these adapters speak.
const ProtocolVersion = 2

// Hello is what an adapter says of itself in its answer to hello.
type Hello struct {
	Name    string
	Version string
	// Restartable: a second start is a fresh instance, so the harness may reuse the process.
	Restartable bool
	// Timing is "clock" for a time-driven implementation; empty for ticks.
	Timing string
	// Features are the optional parts of the contract it supports (protocol 2): only those it
	// really does, since the harness then sends their inputs.
	Features []string
	// LeaseDriftMax is the clock drift the implementation's leases assume (with feature leaseReads).
	LeaseDriftMax *float64
	// RemovedNodeGuards are the options ("checkQuorum", "preVote"), any one of which the
	// implementation needs on to stay live while a removed node keeps running (with feature
	// membership; each also a feature); empty: it needs none.
	RemovedNodeGuards []string
}

// Answer is the hello answer to a harness that speaks harnessProtocol: the newest version both
// speak, and the features only under version 2.
func (h *Hello) Answer(harnessProtocol int) ([]byte, error) {
	if harnessProtocol < 1 {
		return nil, fmt.Errorf("hello names protocol %d; these adapters speak 1 and %d", harnessProtocol, ProtocolVersion)
	}
	protocol := min(harnessProtocol, ProtocolVersion)
	buffer := append([]byte(`{"protocol":`), strconv.Itoa(protocol)...)
	buffer = append(buffer, `,"name":`...)
	buffer = AppendString(buffer, h.Name)
	buffer = append(buffer, `,"version":`...)
	buffer = AppendString(buffer, h.Version)
	if h.Restartable {
		buffer = append(buffer, `,"restartable":true`...)
	}
	if h.Timing != "" {
		buffer = append(buffer, `,"timing":`...)
		buffer = AppendString(buffer, h.Timing)
	}
	if protocol >= 2 {
		buffer = appendStrings(append(buffer, `,"features":`...), h.Features)
		if h.LeaseDriftMax != nil {
			buffer = append(buffer, `,"leaseDriftMax":`...)
			buffer = strconv.AppendFloat(buffer, *h.LeaseDriftMax, 'g', -1, 64)
		}
		if len(h.RemovedNodeGuards) > 0 {
			buffer = appendStrings(append(buffer, `,"removedNodeGuards":`...), h.RemovedNodeGuards)
		}
	}
	return append(buffer, '}'), nil
}

// appendStrings appends a JSON list of strings.
func appendStrings(buffer []byte, list []string) []byte {
	buffer = append(buffer, '[')
	for index, item := range list {
		if index > 0 {
			buffer = append(buffer, ',')
		}
		buffer = AppendString(buffer, item)
	}
	return append(buffer, ']')
}

// Session answers the lines of one conversation.
type Session struct {
	Hello Hello
	// Handle answers every input after hello with one output line (without its newline).
	Handle  func(in *Input) ([]byte, error)
	helloed bool
}

// Line takes one input line and returns the answer line (without its newline).
func (s *Session) Line(line []byte) ([]byte, error) {
	in, err := ParseInput(line)
	if err != nil {
		return nil, fmt.Errorf("input is not a protocol line: %w: %.200q", err, line)
	}
	if !s.helloed {
		if in.Kind != "hello" {
			return nil, fmt.Errorf("expected hello first, got %q", in.Kind)
		}
		s.helloed = true
		return s.Hello.Answer(in.Protocol)
	}
	if in.Kind == "hello" {
		return nil, errors.New("a second hello")
	}
	return s.Handle(in)
}

// Serve answers every input line with one output line until the input ends.
func (s *Session) Serve(in io.Reader, out io.Writer) error {
	reader := bufio.NewReaderSize(in, 1<<16)
	writer := bufio.NewWriterSize(out, 1<<16)
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) > 0 {
			answer, stepErr := s.Line(line)
			if stepErr != nil {
				return stepErr
			}
			if _, err := writer.Write(append(answer, '\n')); err != nil {
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

// wasmStdin holds what the host put on stdin for this call: one line.
var wasmStdin = bufio.NewReaderSize(os.Stdin, 1<<16)

// Step is a wasm guest's raftcheck_step: it reads the one line the host put on stdin and writes
// the answer on stdout. A failure panics, which the host reports with the message as the cause.
func (s *Session) Step() {
	line, err := wasmStdin.ReadBytes('\n')
	if err != nil {
		panic(fmt.Sprintf("%s adapter: reading the input line: %v", s.Hello.Name, err))
	}
	answer, err := s.Line(line)
	if err != nil {
		panic(fmt.Sprintf("%s adapter: %v", s.Hello.Name, err))
	}
	if _, err := os.Stdout.Write(append(answer, '\n')); err != nil {
		panic(fmt.Sprintf("%s adapter: writing the answer: %v", s.Hello.Name, err))
	}
}
