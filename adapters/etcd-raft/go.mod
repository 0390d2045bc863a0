module github.com/raftcheck/adapters/etcd-raft

go 1.26

require (
	go.etcd.io/raft/v3 v3.7.0
	google.golang.org/protobuf v1.36.11
)

require github.com/raftcheck/adapters/raftcheck-go v0.0.0

replace github.com/raftcheck/adapters/raftcheck-go => ../raftcheck-go
