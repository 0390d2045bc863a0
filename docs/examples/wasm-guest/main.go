// A complete, minimal time-driven raftcheck guest for the WebAssembly host (docs/PROTOCOL.md,
// "Time-driven guests"): a node with a heartbeat goroutine on a ticker that never leads. It shows
// the whole I/O layer: one input line per call of raftcheck_step, the idle signal (fd 4), one
// answer line. Replace handle with your node.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o guest.wasm .
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"sync"
	"time"
)

type input struct {
	Kind    string `json:"kind"`
	Command struct {
		ID int `json:"id"`
	} `json:"command"`
	Options struct {
		TickMs         int `json:"tickMs"`
		HeartbeatTicks int `json:"heartbeatTicks"`
	} `json:"options"`
}

type output struct {
	Messages []any `json:"messages"`
	Records  []any `json:"records"`
	Sync     bool  `json:"sync"`
	Applied  []any `json:"applied"`
	Answers  []any `json:"answers"`
}

var (
	stdin = bufio.NewReader(os.Stdin)
	idle  = os.NewFile(4, "raftcheck-idle")

	mutex      sync.Mutex
	heartbeats int
	started    bool
)

func main() {} // a reactor: the host calls _initialize, then raftcheck_step

//go:wasmexport raftcheck_step
func raftcheckStep() {
	line, err := stdin.ReadBytes('\n')
	if err != nil {
		panic(err)
	}
	var in input
	if err := json.Unmarshal(line, &in); err != nil {
		panic(err)
	}
	if in.Kind == "hello" {
		os.Stdout.WriteString(`{"protocol":1,"name":"example-guest","version":"1","timing":"clock"}` + "\n")
		return
	}
	out := handle(in)
	// Let every goroutine run, and every timer due before this input's end fire, first.
	var signal [1]byte
	if _, err := idle.Read(signal[:]); err != nil {
		panic(err)
	}
	answer, _ := json.Marshal(out)
	os.Stdout.Write(append(answer, '\n'))
}

func handle(in input) output {
	out := output{Messages: []any{}, Records: []any{}, Applied: []any{}, Answers: []any{}}
	switch in.Kind {
	case "start":
		if !started {
			started = true
			period := time.Duration(in.Options.HeartbeatTicks*in.Options.TickMs) * time.Millisecond
			go func() {
				for range time.Tick(period) { // runs in virtual time
					mutex.Lock()
					heartbeats++
					mutex.Unlock()
				}
			}()
		}
	case "propose", "read":
		out.Answers = append(out.Answers, map[string]any{"commandId": in.Command.ID, "kind": "notLeader", "leaderHint": nil})
	}
	return out
}
