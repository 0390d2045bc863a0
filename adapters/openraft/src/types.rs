// openraft's type configuration for this adapter: commands are the harness's, node ids are the
// harness's, and a node needs no address (the harness carries every message).

use std::io::Cursor;

use crate::protocol::Command;

openraft::declare_raft_types!(
    pub TypeConfig:
        D = Command,
        R = Option<String>,
        NodeId = u64,
        Node = openraft::EmptyNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

pub type Entry = openraft::Entry<TypeConfig>;
pub type Raft = openraft::Raft<TypeConfig>;
pub type LogId = openraft::LogId<u64>;
pub type StoredMembership = openraft::StoredMembership<u64, openraft::EmptyNode>;

/// How many node ids one openraft term holds in the contract's terms (node ids must stay below it).
pub const NODE_SLOTS_PER_TERM: u64 = 1000;

/// The contract's term for an openraft leader id. openraft's default mode (without the
/// `single-term-leader` feature, as Databend runs it) orders leader ids by (term, node id), and
/// more than one node may lead in one openraft term, one after another: a node that voted for
/// (3, 1) may vote for (3, 2). The contract's term names one leader at most, and openraft's order
/// is exactly that of `term * 1000 + node id`, so that number is the term the harness sees (3002:
/// openraft's term 3, led or sought by node 2).
pub fn contract_term(leader_id: &openraft::LeaderId<u64>) -> u64 {
    leader_id.term * NODE_SLOTS_PER_TERM + leader_id.node_id
}
