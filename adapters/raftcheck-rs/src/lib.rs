// What raftcheck's Rust adapters (adapters/raft-rs, adapters/openraft) share, as
// adapters/raftcheck-go is for the Go ones: the process protocol's JSON shapes that do not depend
// on the library (docs/PROTOCOL.md), the stdio loop around a session, the replicated key-value
// store with the reference's semantics, the seeded election timer, and the router their tests
// drive nodes through. Each adapter keeps what is its own: its inputs' options, its message bodies
// and records, and its output around them.

pub mod kv;
pub mod protocol;
pub mod router;
pub mod stdio;
pub mod timer;
