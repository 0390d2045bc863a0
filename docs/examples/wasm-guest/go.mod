module example.com/raftcheck-wasm-guest

go 1.26
