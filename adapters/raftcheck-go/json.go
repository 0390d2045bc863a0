// Hand-written JSON for the few shapes of the protocol, because encoding/json's reflection was
// most of an adapter's time per input in wasm (docs/BENCHMARKS.md, "WebAssembly guests
// in-process"). The writers produce exactly the bytes encoding/json would (field order,
// omitempty, null, HTML-safe string escapes), so entries, records and trace files are unchanged;
// the reader takes any valid JSON for the input shapes, skips fields it does not know (the
// protocol asks programs to), and falls back to encoding/json for a string with escapes.

package raftcheck

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// AppendString appends s as encoding/json writes a string. Printable ASCII is written here, with
// \" and \\ escaped (entry data is JSON, full of quotes); a string with anything else (control
// characters, <, >, &, non-ASCII) goes through encoding/json whole.
func AppendString(buffer []byte, s string) []byte {
	for index := 0; index < len(s); index++ {
		if c := s[index]; c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s)
			return append(buffer, quoted...)
		}
	}
	buffer = append(buffer, '"')
	start := 0
	for index := 0; index < len(s); index++ {
		if c := s[index]; c == '"' || c == '\\' {
			buffer = append(buffer, s[start:index]...)
			buffer = append(buffer, '\\', c)
			start = index + 1
		}
	}
	buffer = append(buffer, s[start:]...)
	return append(buffer, '"')
}

// AppendOptionalString appends a *string: null when nil.
func AppendOptionalString(buffer []byte, s *string) []byte {
	if s == nil {
		return append(buffer, "null"...)
	}
	return AppendString(buffer, *s)
}

// AppendOptionalID appends a *uint64 node id: null when nil.
func AppendOptionalID(buffer []byte, id *uint64) []byte {
	if id == nil {
		return append(buffer, "null"...)
	}
	return strconv.AppendUint(buffer, *id, 10)
}

// AppendBool appends true or false.
func AppendBool(buffer []byte, value bool) []byte {
	return strconv.AppendBool(buffer, value)
}

// AppendCommand appends c as json.Marshal does: these bytes are the data of every log entry.
func AppendCommand(buffer []byte, c *Command) []byte {
	buffer = append(buffer, `{"id":`...)
	buffer = strconv.AppendInt(buffer, c.ID, 10)
	buffer = append(buffer, `,"op":`...)
	buffer = AppendString(buffer, c.Op)
	buffer = append(buffer, `,"key":`...)
	buffer = AppendString(buffer, c.Key)
	if c.Value != nil {
		buffer = append(buffer, `,"value":`...)
		buffer = AppendString(buffer, *c.Value)
	}
	if c.Client != nil {
		buffer = append(buffer, `,"client":`...)
		buffer = strconv.AppendInt(buffer, *c.Client, 10)
	}
	if c.Sequence != nil {
		buffer = append(buffer, `,"sequence":`...)
		buffer = strconv.AppendInt(buffer, *c.Sequence, 10)
	}
	return append(buffer, '}')
}

// AppendAppliedEntry appends an applied entry; its result is already JSON.
func AppendAppliedEntry(buffer []byte, e *AppliedEntry) []byte {
	buffer = append(buffer, `{"index":`...)
	buffer = strconv.AppendUint(buffer, e.Index, 10)
	buffer = append(buffer, `,"term":`...)
	buffer = strconv.AppendUint(buffer, e.Term, 10)
	buffer = append(buffer, `,"commandId":`...)
	buffer = strconv.AppendInt(buffer, e.CommandID, 10)
	if len(e.Result) > 0 {
		buffer = append(buffer, `,"result":`...)
		buffer = append(buffer, e.Result...)
	}
	return append(buffer, '}')
}

// AppendAnswer appends one of the answer shapes of protocol.go.
func AppendAnswer(buffer []byte, answer any) ([]byte, error) {
	switch a := answer.(type) {
	case AcceptedAnswer:
		buffer = appendAnswerHead(buffer, a.CommandID, a.Kind, "index")
		buffer = strconv.AppendUint(buffer, a.Index, 10)
		buffer = append(buffer, `,"term":`...)
		buffer = strconv.AppendUint(buffer, a.Term, 10)
	case NotLeaderAnswer:
		buffer = AppendOptionalID(appendAnswerHead(buffer, a.CommandID, a.Kind, "leaderHint"), a.LeaderHint)
	case ReadAnswer:
		buffer = AppendOptionalString(appendAnswerHead(buffer, a.CommandID, a.Kind, "value"), a.Value)
	case TransferAcceptedAnswer:
		buffer = strconv.AppendUint(appendAnswerHead(buffer, a.CommandID, a.Kind, "term"), a.Term, 10)
	case RejectedAnswer:
		buffer = AppendString(appendAnswerHead(buffer, a.CommandID, a.Kind, "reason"), a.Reason)
	default:
		return nil, fmt.Errorf("an answer of type %T, which has no encoder", answer)
	}
	return append(buffer, '}'), nil
}

// appendAnswerHead opens an answer up to the name of its third field.
func appendAnswerHead(buffer []byte, commandID int64, kind string, next string) []byte {
	buffer = append(buffer, `{"commandId":`...)
	buffer = strconv.AppendInt(buffer, commandID, 10)
	buffer = append(buffer, `,"kind":`...)
	buffer = AppendString(buffer, kind)
	buffer = append(buffer, `,"`...)
	buffer = append(buffer, next...)
	return append(buffer, `":`...)
}

// AppendStateView appends the white-box view, its log delta omitted when nil.
func AppendStateView(buffer []byte, v *StateView) []byte {
	buffer = append(buffer, `{"role":`...)
	buffer = AppendString(buffer, v.Role)
	buffer = append(buffer, `,"term":`...)
	buffer = strconv.AppendUint(buffer, v.Term, 10)
	buffer = append(buffer, `,"votedFor":`...)
	buffer = AppendOptionalID(buffer, v.VotedFor)
	buffer = append(buffer, `,"commitIndex":`...)
	buffer = strconv.AppendUint(buffer, v.CommitIndex, 10)
	buffer = append(buffer, `,"appliedIndex":`...)
	buffer = strconv.AppendUint(buffer, v.AppliedIndex, 10)
	buffer = append(buffer, `,"leaderHint":`...)
	buffer = AppendOptionalID(buffer, v.LeaderHint)
	if v.Log != nil {
		buffer = append(buffer, `,"log":{"from":`...)
		buffer = strconv.AppendUint(buffer, v.Log.From, 10)
		buffer = append(buffer, `,"entries":`...)
		if v.Log.Entries == nil {
			buffer = append(buffer, "null"...)
		} else {
			buffer = append(buffer, '[')
			for index, entry := range v.Log.Entries {
				if index > 0 {
					buffer = append(buffer, ',')
				}
				buffer = append(buffer, `{"term":`...)
				buffer = strconv.AppendUint(buffer, entry.Term, 10)
				buffer = append(buffer, `,"commandId":`...)
				buffer = strconv.AppendInt(buffer, entry.CommandID, 10)
				buffer = append(buffer, '}')
			}
			buffer = append(buffer, ']')
		}
		buffer = append(buffer, '}')
	}
	if v.SnapshotIndex != nil {
		buffer = appendUintField(buffer, "snapshotIndex", *v.SnapshotIndex)
	}
	if v.SnapshotTerm != nil {
		buffer = appendUintField(buffer, "snapshotTerm", *v.SnapshotTerm)
	}
	if v.Configuration != nil {
		// Rare (at start and when a configuration changes): encoding/json is fast enough.
		configuration, _ := json.Marshal(v.Configuration)
		buffer = append(buffer, `,"configuration":`...)
		buffer = append(buffer, configuration...)
	}
	return append(buffer, '}')
}

// AppendMessageView appends a message view with the fields of its kind.
func AppendMessageView(buffer []byte, v *MessageView) []byte {
	buffer = append(buffer, `{"kind":`...)
	buffer = AppendString(buffer, v.Kind)
	buffer = appendUintField(buffer, "term", v.Term)
	switch v.Kind {
	case "voteRequest":
		buffer = appendUintField(buffer, "candidate", v.Candidate)
		buffer = appendUintField(buffer, "lastIndex", v.LastIndex)
		buffer = appendUintField(buffer, "lastTerm", v.LastTerm)
	case "voteResponse":
		buffer = append(buffer, `,"granted":`...)
		buffer = AppendBool(buffer, v.Granted)
	case "append":
		buffer = appendUintField(buffer, "prevIndex", v.PrevIndex)
		buffer = appendUintField(buffer, "prevTerm", v.PrevTerm)
		buffer = appendUintField(buffer, "entries", uint64(len(v.EntryIDs)))
		buffer = appendUintField(buffer, "commit", v.Commit)
		buffer = append(buffer, `,"entryIds":[`...)
		for index, id := range v.EntryIDs {
			if index > 0 {
				buffer = append(buffer, ',')
			}
			buffer = strconv.AppendInt(buffer, id, 10)
		}
		buffer = append(buffer, ']')
	case "appendResponse":
		buffer = append(buffer, `,"success":`...)
		buffer = AppendBool(buffer, v.Success)
		buffer = appendUintField(buffer, "matchIndex", v.MatchIndex)
		if v.RejectHint != nil {
			buffer = appendUintField(buffer, "rejectHint", *v.RejectHint)
		}
	case "snapshot":
		buffer = appendUintField(buffer, "index", v.Index)
		buffer = appendUintField(buffer, "snapshotTerm", v.SnapshotTerm)
	case "heartbeat":
		buffer = appendUintField(buffer, "commit", v.Commit)
	}
	if v.PreVote {
		buffer = append(buffer, `,"preVote":true`...)
	}
	return append(buffer, '}')
}

// appendUintField appends `,"name":value`.
func appendUintField(buffer []byte, name string, value uint64) []byte {
	buffer = append(buffer, `,"`...)
	buffer = append(buffer, name...)
	buffer = append(buffer, `":`...)
	return strconv.AppendUint(buffer, value, 10)
}
