package raftcheck

import (
	"bytes"
	"strings"
	"testing"
)

func echoSession(hello Hello) *Session {
	return &Session{Hello: hello, Handle: func(in *Input) ([]byte, error) { return []byte(`{"kind":"` + in.Kind + `"}`), nil }}
}

func TestHelloIsAnsweredWithProtocol2AndTheFeaturesListed(t *testing.T) {
	s := echoSession(Hello{Name: "etcd-raft", Version: "v3.7.0", Restartable: true})
	answer, err := s.Line([]byte(`{"kind":"hello","protocol":2}`))
	if err != nil || string(answer) != `{"protocol":2,"name":"etcd-raft","version":"v3.7.0","restartable":true,"features":[]}` {
		t.Fatalf("answered %s (%v)", answer, err)
	}
	s = echoSession(Hello{Name: "x", Version: "1", Timing: "clock", Features: []string{"membership", "snapshots"}})
	answer, _ = s.Line([]byte(`{"kind":"hello","protocol":3}`))
	if string(answer) != `{"protocol":2,"name":"x","version":"1","timing":"clock","features":["membership","snapshots"]}` {
		t.Fatalf("a newer harness was answered %s", answer)
	}
}

func TestAProtocol1HarnessGetsAProtocol1HelloWithoutFeatures(t *testing.T) {
	s := echoSession(Hello{Name: "hashicorp-raft", Version: "v1.7.2", Timing: "clock", Features: []string{"membership"}})
	answer, err := s.Line([]byte(`{"kind":"hello","protocol":1}`))
	if err != nil || string(answer) != `{"protocol":1,"name":"hashicorp-raft","version":"v1.7.2","timing":"clock"}` {
		t.Fatalf("answered %s (%v)", answer, err)
	}
}

func TestEveryInputAfterHelloGoesToTheAdapterAndHelloMustComeFirstAndOnce(t *testing.T) {
	s := echoSession(Hello{Name: "a", Version: "1"})
	if _, err := s.Line([]byte(`{"kind":"tick"}`)); err == nil || !strings.Contains(err.Error(), "expected hello first") {
		t.Fatalf("a tick before hello gave %v", err)
	}
	s.Line([]byte(`{"kind":"hello","protocol":2}`))
	if answer, err := s.Line([]byte(`{"kind":"tick"}`)); err != nil || string(answer) != `{"kind":"tick"}` {
		t.Fatalf("a tick was answered %s (%v)", answer, err)
	}
	if _, err := s.Line([]byte(`{"kind":"hello","protocol":2}`)); err == nil {
		t.Fatal("a second hello was answered")
	}
}

func TestServeAnswersEachLineWithOneLineUntilTheInputEnds(t *testing.T) {
	var out bytes.Buffer
	err := echoSession(Hello{Name: "a", Version: "1"}).Serve(strings.NewReader("{\"kind\":\"hello\",\"protocol\":2}\n{\"kind\":\"tick\"}\n{\"kind\":\"propose\"}"), &out)
	if err != nil || out.String() != "{\"protocol\":2,\"name\":\"a\",\"version\":\"1\",\"features\":[]}\n{\"kind\":\"tick\"}\n{\"kind\":\"propose\"}\n" {
		t.Fatalf("served %q (%v)", out.String(), err)
	}
}

func TestAHelloWithLeaseReadsDeclaresTheLeaseDriftMax(t *testing.T) {
	drift := 0.0
	s := echoSession(Hello{Name: "etcd-raft", Version: "v3.7.0", Features: []string{"leaseReads"}, LeaseDriftMax: &drift})
	answer, err := s.Line([]byte(`{"kind":"hello","protocol":2}`))
	if err != nil || string(answer) != `{"protocol":2,"name":"etcd-raft","version":"v3.7.0","features":["leaseReads"],"leaseDriftMax":0}` {
		t.Fatalf("answered %s (%v)", answer, err)
	}
}

func TestAHelloWithMembershipDeclaresTheGuardsRemovedNodesNeed(t *testing.T) {
	s := echoSession(Hello{Name: "etcd-raft", Version: "v3.7.0", Features: []string{"membership", "preVote", "checkQuorum"}, RemovedNodeGuards: []string{"checkQuorum", "preVote"}})
	answer, err := s.Line([]byte(`{"kind":"hello","protocol":2}`))
	if err != nil || string(answer) != `{"protocol":2,"name":"etcd-raft","version":"v3.7.0","features":["membership","preVote","checkQuorum"],"removedNodeGuards":["checkQuorum","preVote"]}` {
		t.Fatalf("answered %s (%v)", answer, err)
	}
}
