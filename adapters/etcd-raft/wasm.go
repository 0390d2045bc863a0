//go:build wasip1

// The WebAssembly build's I/O layer (docs/PROTOCOL.md, "WebAssembly guests"): raftcheck's wasm
// host hands one line on stdin per call of raftcheck_step and reads one line back from stdout.
// Everything else is the process build's: the same session, handle and node.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o bin/etcd-raft.wasm .

package main

import (
	"bufio"
	"fmt"
	"os"
)

var (
	wasmStdin   = bufio.NewReaderSize(os.Stdin, 1<<16)
	wasmSession = &session{logger: newLogger("")}
)

//go:wasmexport raftcheck_step
func raftcheckStep() {
	line, err := wasmStdin.ReadBytes('\n')
	if err != nil {
		panic(fmt.Sprintf("etcd-raft adapter: reading the input line: %v", err))
	}
	answer, err := wasmSession.handle(line)
	if err != nil {
		panic(fmt.Sprintf("etcd-raft adapter: %v", err))
	}
	if _, err := os.Stdout.Write(append(answer, '\n')); err != nil {
		panic(fmt.Sprintf("etcd-raft adapter: writing the answer: %v", err))
	}
}
