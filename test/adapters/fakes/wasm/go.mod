module github.com/raftcheck/test/wasm-guest

go 1.26
