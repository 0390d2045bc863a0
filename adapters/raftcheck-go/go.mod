module github.com/raftcheck/adapters/raftcheck-go

go 1.26
