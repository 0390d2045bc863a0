// openraft's RaftNetwork over the harness's messages. openraft calls a peer and awaits the answer;
// the harness carries one-way messages that it may delay, drop, duplicate or reorder. So a call
// becomes a numbered request in the node's output, and the call waits until a message answering
// that number is delivered (node.rs). An answer that never comes leaves the call waiting until
// openraft's own timeout for it (a heartbeat interval for appends, election_timeout_min for votes)
// gives up, as it would over a network that lost the packet; a second copy of an answer, or one
// for a call already given up, finds no one waiting and is dropped.

use std::collections::BTreeMap;

use openraft::error::{InstallSnapshotError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::EmptyNode;
use tokio::sync::oneshot;

use crate::protocol::{Body, Envelope, Outbound};
use crate::storage::SharedRef;
use crate::types::{contract_term, TypeConfig};

/// The node's side of the harness's network: messages to send and calls awaiting answers.
#[derive(Default)]
pub struct Mailbox {
    pub outbox: Vec<Outbound>,
    /// Request number -> the peer asked and the call waiting.
    waiting: BTreeMap<u64, (u64, oneshot::Sender<Body>)>,
    /// This incarnation's number (a durable record counts them, storage.rs): requests are
    /// numbered `incarnation << 32 | count`, so that a late answer to an earlier incarnation's
    /// request never reaches a call of this one, which would take it for its own.
    pub incarnation: u64,
    requests: u64,
}

impl Mailbox {
    /// Queues a message to `to`; its term is what reports show.
    pub fn send(&mut self, to: u64, term: u64, body: Body) {
        let label = body.label().to_owned();
        self.outbox.push(Outbound {
            to,
            message: Envelope { label, term, body },
        });
    }

    /// Queues a request and returns what its answer will arrive on.
    fn call(&mut self, to: u64, term: u64, request: impl FnOnce(u64) -> Body) -> oneshot::Receiver<Body> {
        // Calls given up (their receivers dropped) go, so the map stays as small as the calls in flight.
        self.waiting.retain(|_, (_, sender)| !sender.is_closed());
        self.requests += 1;
        let number = self.incarnation << 32 | self.requests;
        let (sender, receiver) = oneshot::channel();
        self.waiting.insert(number, (to, sender));
        self.send(to, term, request(number));
        receiver
    }

    /// Hands an answer from `from` to the call waiting for it, if one still is.
    pub fn answer(&mut self, from: u64, body: Body) {
        let request = match body {
            Body::AppendEntriesResponse { request, .. } | Body::VoteResponse { request, .. } => request,
            Body::AppendEntries { .. } | Body::Vote { .. } => return,
        };
        if self.waiting.get(&request).is_some_and(|(to, _)| *to == from) {
            if let Some((_, sender)) = self.waiting.remove(&request) {
                let _ = sender.send(body);
            }
        }
    }
}

pub struct NetworkFactory {
    pub shared: SharedRef,
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Network;

    async fn new_client(&mut self, target: u64, _node: &EmptyNode) -> Network {
        Network {
            target,
            shared: self.shared.clone(),
        }
    }
}

pub struct Network {
    target: u64,
    shared: SharedRef,
}

type CallError<E = openraft::error::Infallible> = RPCError<u64, EmptyNode, RaftError<u64, E>>;

fn unanswerable<E: std::error::Error>(what: &str) -> RPCError<u64, EmptyNode, E> {
    RPCError::Unreachable(Unreachable::new(&std::io::Error::other(what.to_owned())))
}

impl Network {
    async fn call(&self, term: u64, request: impl FnOnce(u64) -> Body) -> Option<Body> {
        let receiver = self.shared.lock().mailbox.call(self.target, term, request);
        receiver.await.ok()
    }
}

impl RaftNetwork<TypeConfig> for Network {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, CallError> {
        let term = contract_term(rpc.vote.leader_id());
        match self.call(term, |request| Body::AppendEntries { request, rpc }).await {
            Some(Body::AppendEntriesResponse { rpc, .. }) => Ok(rpc),
            _ => Err(unanswerable("no answer to an append")),
        }
    }

    async fn vote(&mut self, rpc: VoteRequest<u64>, _option: RPCOption) -> Result<VoteResponse<u64>, CallError> {
        let term = contract_term(rpc.vote.leader_id());
        match self.call(term, |request| Body::Vote { request, rpc }).await {
            Some(Body::VoteResponse { rpc, .. }) => Ok(rpc),
            _ => Err(unanswerable("no answer to a vote request")),
        }
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<InstallSnapshotResponse<u64>, CallError<InstallSnapshotError>> {
        // The adapter never purges its log (it does not list snapshots), so no follower ever needs one.
        Err(unanswerable("the adapter sends no snapshots"))
    }
}
