// A wasm guest for the host's tests (test/adapters/wasm.test.ts): it speaks the process protocol
// correctly until a propose input's key names a way to misbehave, and then misbehaves that way.
// It is time-driven (hello says timing "clock"): after each input it waits until it is idle, so
// that an advance input runs its timers (a propose of "ticker" starts one) up to the new time.
// Built as a reactor: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package main

import (
	"bufio"
	cryptorand "crypto/rand"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
	"unsafe"
)

type input struct {
	Kind    string `json:"kind"`
	Command struct {
		ID  int    `json:"id"`
		Key string `json:"key"`
	} `json:"command"`
}

var (
	stdin = bufio.NewReader(os.Stdin)
	// The host's idle signal: a read returns once every goroutine is blocked and no timer is due
	// before the input's end time.
	idle  = os.NewFile(4, "raftcheck-idle")
	hoard [][]byte
	spins int
	beats int
)

func waitIdle() {
	var signal [1]byte
	if _, err := idle.Read(signal[:]); err != nil {
		panic(err)
	}
}

func main() {}

//go:wasmimport wasi_snapshot_preview1 clock_time_get
func clockTimeGet(id uint32, precision uint64, result unsafe.Pointer) uint32

//go:wasmexport raftcheck_step
func step() {
	line, err := stdin.ReadBytes('\n')
	if err != nil {
		panic(err)
	}
	var in input
	if err := json.Unmarshal(line, &in); err != nil {
		panic(err)
	}
	switch in.Kind {
	case "hello":
		// Protocol 2, listing a feature, so that the host's tests see the features it reads.
		fmt.Println(`{"protocol":2,"name":"misbehaving-guest","version":"1","timing":"clock","features":["membership"]}`)
		return
	case "propose":
		value := misbehave(in.Command.Key)
		waitIdle()
		answer(in.Command.ID, value)
		return
	}
	waitIdle()
	fmt.Println(`{"messages":[],"records":[],"sync":false,"applied":[],"answers":[]}`)
}

func answer(id int, value string) {
	encoded, _ := json.Marshal(value)
	fmt.Printf(`{"messages":[],"records":[],"sync":false,"applied":[],"answers":[{"commandId":%d,"kind":"read","value":%s}]}`+"\n", id, encoded)
}

// misbehave does what the key says and returns what the guest saw, for the well-behaved keys.
func misbehave(key string) string {
	switch key {
	case "panic":
		panic("the guest gave up")
	case "exit":
		os.Exit(3)
	case "deadlock":
		select {}
	case "spin":
		for {
			spins++
		}
	case "pingpong":
		ping, pong := make(chan int), make(chan int)
		go func() {
			for value := range ping {
				pong <- value + 1
			}
		}()
		go func() {
			for value := range pong {
				ping <- value + 1
			}
		}()
		ping <- 0
		select {}
	case "memory":
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	case "urandom":
		data, err := os.ReadFile("/dev/urandom")
		return fmt.Sprint(len(data), err)
	case "cputime":
		var now uint64
		clockTimeGet(2, 0, unsafe.Pointer(&now))
		return fmt.Sprint(now)
	case "ticker":
		go func() {
			for {
				time.Sleep(100 * time.Millisecond)
				beats++
			}
		}()
	case "beats":
		return fmt.Sprint(beats)
	case "twolines":
		fmt.Println("{}")
	case "sleep":
		before := time.Now()
		done := make(chan struct{})
		go func() {
			time.Sleep(150 * time.Millisecond)
			close(done)
		}()
		<-done
		var bytes [8]byte
		cryptorand.Read(bytes[:])
		return fmt.Sprintf("%s %d %x %d", before.UTC().Format(time.RFC3339Nano), time.Since(before).Milliseconds(), bytes, rand.IntN(1_000_000))
	}
	return "ok"
}
