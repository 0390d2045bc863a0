//go:build wasip1

// The WebAssembly build's I/O layer (docs/PROTOCOL.md, "WebAssembly guests"): raftcheck's wasm
// host hands one line on stdin per call of raftcheck_step and reads one line back from stdout.
// Everything else is the process build's: the same session and node.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o bin/etcd-raft.wasm .

package main

var wasmSession = newSession(newLogger(""))

//go:wasmexport raftcheck_step
func raftcheckStep() {
	wasmSession.conversation.Step()
}
