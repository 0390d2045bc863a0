// The decoded view of etcd's messages (docs/CONTRACT.md, "Message views"): what each message says
// in Raft's common vocabulary, so that durability probes can read the promises a node makes (a
// vote granted, entries acknowledged, a term reached) and reports can name what was said.

package main

import (
	"github.com/raftcheck/adapters/raftcheck-go"
	pb "go.etcd.io/raft/v3/raftpb"
)

type messageView = raftcheck.MessageView

// viewOf decodes m; nil for the messages the contract has no word for (etcd's forwarded
// proposals, reads and transfers, which this adapter never sends).
func viewOf(m *pb.Message) *messageView {
	v := &messageView{Term: m.GetTerm()}
	switch m.GetType() {
	case pb.MsgVote, pb.MsgPreVote:
		v.Kind, v.Candidate, v.LastIndex, v.LastTerm = "voteRequest", m.GetFrom(), m.GetIndex(), m.GetLogTerm()
		v.PreVote = m.GetType() == pb.MsgPreVote
	case pb.MsgVoteResp, pb.MsgPreVoteResp:
		v.Kind, v.Granted, v.PreVote = "voteResponse", !m.GetReject(), m.GetType() == pb.MsgPreVoteResp
	case pb.MsgApp:
		v.Kind, v.PrevIndex, v.PrevTerm, v.Commit = "append", m.GetIndex(), m.GetLogTerm(), m.GetCommit()
		v.EntryIDs = make([]int64, len(m.GetEntries()))
		for position, e := range m.GetEntries() {
			v.EntryIDs[position] = commandIDOf(e)
		}
	case pb.MsgAppResp:
		// etcd's Index on success is the last index the follower holds in agreement with the
		// leader (or its commit index, for an append that starts inside it): its promise.
		v.Kind, v.Success = "appendResponse", !m.GetReject()
		if v.Success {
			v.MatchIndex = m.GetIndex()
		} else {
			hint := m.GetRejectHint()
			v.RejectHint = &hint
		}
	case pb.MsgSnap:
		metadata := m.GetSnapshot().GetMetadata()
		v.Kind, v.Index, v.SnapshotTerm = "snapshot", metadata.GetIndex(), metadata.GetTerm()
	case pb.MsgTimeoutNow:
		v.Kind = "timeoutNow"
	case pb.MsgHeartbeat:
		v.Kind, v.Commit = "heartbeat", m.GetCommit()
	case pb.MsgHeartbeatResp:
		v.Kind = "heartbeatResponse"
	default:
		return nil
	}
	return v
}
