package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/raftcheck/adapters/raftcheck-go"
	pb "go.etcd.io/raft/v3/raftpb"
)

// sentMessage is a message the transcript shows a node sending, decoded, with its view as JSON.
type sentMessage struct {
	message *pb.Message
	view    map[string]any
}

func (c *testCluster) sentMessages() []sentMessage {
	var sent []sentMessage
	for _, line := range strings.Split(c.transcript.String(), "\n") {
		_, answer, ok := strings.Cut(line, "> ")
		if !ok {
			continue
		}
		var out struct {
			Messages []struct {
				Message struct {
					Body string         `json:"body"`
					View map[string]any `json:"view"`
				} `json:"message"`
			} `json:"messages"`
		}
		if err := json.Unmarshal([]byte(answer), &out); err != nil {
			c.t.Fatal(err)
		}
		for _, m := range out.Messages {
			decoded, err := decodeMessage(&raftcheck.Envelope{Body: json.RawMessage(strconv.Quote(m.Message.Body))})
			if err != nil {
				c.t.Fatal(err)
			}
			sent = append(sent, sentMessage{message: decoded, view: m.Message.View})
		}
	}
	return sent
}

func TestEveryMessageCarriesAViewThatSaysWhatItsEtcdFieldsSay(t *testing.T) {
	c := newTestCluster(t, 5)
	leader := c.tickUntilLeader()
	for id := int64(1); id <= 4; id++ {
		c.propose(leader, id, "set", "k1", "v")
		c.settle()
	}
	c.heartbeat()
	kinds := map[string]bool{}
	for _, s := range c.sentMessages() {
		m, v := s.message, s.view
		if v == nil {
			t.Fatalf("%s from %d went without a view", m.GetType(), m.GetFrom())
		}
		kind := v["kind"].(string)
		kinds[kind] = true
		if uint64(v["term"].(float64)) != m.GetTerm() {
			t.Fatalf("%s of term %d has a view of term %v", m.GetType(), m.GetTerm(), v["term"])
		}
		number := func(field string) uint64 { return uint64(v[field].(float64)) }
		switch m.GetType() {
		case pb.MsgVote:
			if kind != "voteRequest" || number("candidate") != m.GetFrom() || number("lastIndex") != m.GetIndex() || number("lastTerm") != m.GetLogTerm() {
				t.Fatalf("MsgVote %v read as %v", m, v)
			}
		case pb.MsgVoteResp:
			if kind != "voteResponse" || v["granted"] != !m.GetReject() {
				t.Fatalf("MsgVoteResp %v read as %v", m, v)
			}
		case pb.MsgApp:
			if kind != "append" || number("prevIndex") != m.GetIndex() || number("prevTerm") != m.GetLogTerm() || number("commit") != m.GetCommit() || int(number("entries")) != len(m.GetEntries()) {
				t.Fatalf("MsgApp %v read as %v", m, v)
			}
			for position, e := range m.GetEntries() {
				if int64(v["entryIds"].([]any)[position].(float64)) != commandIDOf(e) {
					t.Fatalf("MsgApp %v names entry ids %v", m, v["entryIds"])
				}
			}
		case pb.MsgAppResp:
			if kind != "appendResponse" || v["success"] != !m.GetReject() || (!m.GetReject() && number("matchIndex") != m.GetIndex()) {
				t.Fatalf("MsgAppResp %v read as %v", m, v)
			}
		case pb.MsgHeartbeat:
			if kind != "heartbeat" || number("commit") != m.GetCommit() {
				t.Fatalf("MsgHeartbeat %v read as %v", m, v)
			}
		case pb.MsgHeartbeatResp:
			if kind != "heartbeatResponse" {
				t.Fatalf("MsgHeartbeatResp %v read as %v", m, v)
			}
		}
	}
	for _, kind := range []string{"voteRequest", "voteResponse", "append", "appendResponse", "heartbeat", "heartbeatResponse"} {
		if !kinds[kind] {
			t.Errorf("no %s was sent (kinds seen: %v)", kind, kinds)
		}
	}
}

func TestAFollowersAcknowledgementPromisesTheEntriesItHolds(t *testing.T) {
	c := newTestCluster(t, 6)
	leader := c.tickUntilLeader()
	c.propose(leader, 1, "set", "k1", "v1")
	c.settle()
	acknowledged := map[uint64]uint64{}
	for _, s := range c.sentMessages() {
		if s.message.GetType() == pb.MsgAppResp && s.view["success"] == true {
			acknowledged[s.message.GetFrom()] = uint64(s.view["matchIndex"].(float64))
		}
	}
	for _, id := range c.members {
		if id != leader && acknowledged[id] != uint64(len(c.logs[id])) {
			t.Fatalf("node %d holds %d entries but its last acknowledgement promised %d", id, len(c.logs[id]), acknowledged[id])
		}
	}
}
