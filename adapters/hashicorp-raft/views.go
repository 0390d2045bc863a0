// Message views (docs/CONTRACT.md, "Message views and durability probes"): every RPC request and
// response in Raft's common vocabulary, from which the harness reads the promises a node makes
// (a vote granted, entries acknowledged, a term reached) and judges pre-votes and transfers.

package main

import (
	"github.com/hashicorp/raft"
	"github.com/raftcheck/adapters/raftcheck-go"
)

type messageView raftcheck.MessageView

func (v *messageView) MarshalJSON() ([]byte, error) {
	return raftcheck.AppendMessageView(nil, (*raftcheck.MessageView)(v)), nil
}

// requestView is the view of a request this node sends; term labels a TimeoutNow (which carries none).
func requestView(self uint64, request any, term uint64) *messageView {
	switch r := request.(type) {
	case *raft.AppendEntriesRequest:
		ids := make([]int64, len(r.Entries))
		for index, entry := range r.Entries {
			ids[index] = commandID(entry)
		}
		return &messageView{Kind: "append", Term: r.Term, PrevIndex: r.PrevLogEntry, PrevTerm: r.PrevLogTerm, EntryIDs: ids, Commit: r.LeaderCommitIndex}
	case *raft.RequestVoteRequest:
		return &messageView{Kind: "voteRequest", Term: r.Term, Candidate: self, LastIndex: r.LastLogIndex, LastTerm: r.LastLogTerm}
	case *raft.RequestPreVoteRequest:
		return &messageView{Kind: "voteRequest", Term: r.Term, Candidate: self, LastIndex: r.LastLogIndex, LastTerm: r.LastLogTerm, PreVote: true}
	case *raft.TimeoutNowRequest:
		return &messageView{Kind: "timeoutNow", Term: term}
	case *raft.InstallSnapshotRequest:
		return &messageView{Kind: "snapshot", Term: r.Term, Index: r.LastLogIndex, SnapshotTerm: r.LastLogTerm}
	}
	return nil
}

// responseView is the view of raft's answer to a request (nil where it has none to give: a
// TimeoutNow's answer carries no term). An append's answer acknowledges, on success, every entry
// up to the request's last: hashicorp holds them once it answers.
func responseView(request any, response any) *messageView {
	switch r := response.(type) {
	case *raft.AppendEntriesResponse:
		view := &messageView{Kind: "appendResponse", Term: r.Term, Success: r.Success}
		if append, ok := request.(*raft.AppendEntriesRequest); ok && r.Success {
			view.MatchIndex = append.PrevLogEntry + uint64(len(append.Entries))
		}
		return view
	case *raft.InstallSnapshotResponse:
		// Answered like an append of the snapshot's entries: on success the follower holds them.
		view := &messageView{Kind: "appendResponse", Term: r.Term, Success: r.Success}
		if install, ok := request.(*raft.InstallSnapshotRequest); ok && r.Success {
			view.MatchIndex = install.LastLogIndex
		}
		return view
	case *raft.RequestVoteResponse:
		return &messageView{Kind: "voteResponse", Term: r.Term, Granted: r.Granted}
	case *raft.RequestPreVoteResponse:
		return &messageView{Kind: "voteResponse", Term: r.Term, Granted: r.Granted, PreVote: true}
	}
	return nil
}

// termOf is a view's term, 0 without one.
func termOf(view *messageView) uint64 {
	if view == nil {
		return 0
	}
	return view.Term
}
