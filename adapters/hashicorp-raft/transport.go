// hashicorp/raft's Transport over raftcheck's messages: an RPC is two messages, the request and
// its response, matched by a call number. The calling goroutine blocks until the response is
// delivered or its timeout passes (in virtual time), as it would on a network transport; the
// harness may delay, drop, duplicate or reorder either message. A request delivered to this node
// goes to raft's consumer channel, and its response leaves as a message once raft answers. An
// InstallSnapshot carries the snapshot's bytes in the same message as the request.

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

var errRPCTimeout = errors.New("rpc timed out (request or response lost or late)")

type transport struct {
	id       uint64
	consumer chan raft.RPC
	timeout  time.Duration
	// The node's current term (its stable store's), for the messages whose RPC carries none.
	currentTerm func() uint64
	mutex       sync.Mutex
	nextCall    uint64
	pending     map[uint64]chan body
	outbound    []outbound
}

func newTransport(id uint64, timeout time.Duration, currentTerm func() uint64) *transport {
	return &transport{id: id, consumer: make(chan raft.RPC), timeout: timeout, currentTerm: currentTerm, pending: map[uint64]chan body{}}
}

func address(id uint64) raft.ServerAddress { return raft.ServerAddress(strconv.FormatUint(id, 10)) }

func nodeOf(address raft.ServerAddress) uint64 {
	id, _ := strconv.ParseUint(string(address), 10, 64)
	return id
}

func (t *transport) Consumer() <-chan raft.RPC          { return t.consumer }
func (t *transport) LocalAddr() raft.ServerAddress      { return address(t.id) }
func (t *transport) SetHeartbeatHandler(func(raft.RPC)) {}
func (t *transport) EncodePeer(_ raft.ServerID, addr raft.ServerAddress) []byte {
	return []byte(addr)
}
func (t *transport) DecodePeer(peer []byte) raft.ServerAddress { return raft.ServerAddress(peer) }

func (t *transport) AppendEntriesPipeline(raft.ServerID, raft.ServerAddress) (raft.AppendPipeline, error) {
	return nil, raft.ErrPipelineReplicationNotSupported
}

func (t *transport) AppendEntries(_ raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	return t.call(target, "AppendEntries", args, resp, requestView(t.id, args, 0), nil)
}

func (t *transport) RequestVote(_ raft.ServerID, target raft.ServerAddress, args *raft.RequestVoteRequest, resp *raft.RequestVoteResponse) error {
	return t.call(target, "RequestVote", args, resp, requestView(t.id, args, 0), nil)
}

// RequestPreVote makes the transport a raft.WithPreVote: hashicorp runs pre-vote only over such a
// transport, and then unless Config.PreVoteDisabled.
func (t *transport) RequestPreVote(_ raft.ServerID, target raft.ServerAddress, args *raft.RequestPreVoteRequest, resp *raft.RequestPreVoteResponse) error {
	return t.call(target, "RequestPreVote", args, resp, requestView(t.id, args, 0), nil)
}

// TimeoutNow carries no term: the message is labelled with the sender's, as it stands when sent.
func (t *transport) TimeoutNow(_ raft.ServerID, target raft.ServerAddress, args *raft.TimeoutNowRequest, resp *raft.TimeoutNowResponse) error {
	return t.call(target, "TimeoutNow", args, resp, requestView(t.id, args, t.currentTerm()), nil)
}

// InstallSnapshot sends the request and the whole snapshot (hashicorp streams it from its store)
// as one message.
func (t *transport) InstallSnapshot(_ raft.ServerID, target raft.ServerAddress, args *raft.InstallSnapshotRequest, resp *raft.InstallSnapshotResponse, data io.Reader) error {
	snapshot, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	return t.call(target, "InstallSnapshot", args, resp, requestView(t.id, args, 0), snapshot)
}

// call sends a request (with a snapshot's bytes, for InstallSnapshot) and waits for its response
// or the timeout.
func (t *transport) call(target raft.ServerAddress, kind string, args any, resp any, view *messageView, snapshot []byte) error {
	payload, err := json.Marshal(args)
	if err != nil {
		return err
	}
	answer := make(chan body, 1)
	t.mutex.Lock()
	t.nextCall++
	call := t.nextCall
	t.pending[call] = answer
	t.outbound = append(t.outbound, outbound{To: nodeOf(target), Message: envelope{Type: kind, Term: termOf(view), Body: body{Call: call, Payload: payload, Snapshot: snapshot}, View: view}})
	t.mutex.Unlock()
	timer := time.NewTimer(t.timeout)
	defer timer.Stop()
	select {
	case response := <-answer:
		if response.Error != "" {
			return errors.New(response.Error)
		}
		return json.Unmarshal(response.Payload, resp)
	case <-timer.C:
		t.mutex.Lock()
		delete(t.pending, call)
		t.mutex.Unlock()
		return errRPCTimeout
	}
}

// deliver takes a message from a peer: a response wakes its caller (a late or duplicate one is
// dropped), a request goes to raft, and its answer leaves as a response message.
func (t *transport) deliver(from uint64, message *envelope) error {
	if len(message.Type) > 8 && message.Type[len(message.Type)-8:] == "Response" {
		t.mutex.Lock()
		answer, ok := t.pending[message.Body.Call]
		delete(t.pending, message.Body.Call)
		t.mutex.Unlock()
		if ok {
			answer <- message.Body
		}
		return nil
	}
	var command any
	switch message.Type {
	case "AppendEntries":
		command = &raft.AppendEntriesRequest{}
	case "RequestVote":
		command = &raft.RequestVoteRequest{}
	case "RequestPreVote":
		command = &raft.RequestPreVoteRequest{}
	case "TimeoutNow":
		command = &raft.TimeoutNowRequest{}
	case "InstallSnapshot":
		command = &raft.InstallSnapshotRequest{}
	default:
		return fmt.Errorf("a message of unknown type %q", message.Type)
	}
	if err := json.Unmarshal(message.Body.Payload, command); err != nil {
		return fmt.Errorf("%s from %d: %w", message.Type, from, err)
	}
	respond := make(chan raft.RPCResponse, 1)
	rpc := raft.RPC{Command: command, RespChan: respond}
	if message.Type == "InstallSnapshot" {
		rpc.Reader = bytes.NewReader(message.Body.Snapshot)
	}
	go func() {
		t.consumer <- rpc
		response := <-respond
		reply := body{Call: message.Body.Call}
		if response.Error != nil {
			reply.Error = response.Error.Error()
		}
		reply.Payload, _ = json.Marshal(response.Response)
		t.mutex.Lock()
		view := responseView(command, response.Response)
		t.outbound = append(t.outbound, outbound{To: from, Message: envelope{Type: message.Type + "Response", Term: termOf(view), Body: reply, View: view}})
		t.mutex.Unlock()
	}()
	return nil
}

// takeMessages returns the messages sent since the last call.
func (t *transport) takeMessages() []outbound {
	t.mutex.Lock()
	defer t.mutex.Unlock()
	messages := t.outbound
	t.outbound = nil
	if messages == nil {
		return []outbound{}
	}
	return messages
}
