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
use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::protocol::{Body, Envelope, Outbound};
use crate::storage::SharedRef;
use crate::types::{contract_term, LogId, TypeConfig};

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
    /// Queues a message to `to` with its view; its term is what reports show.
    pub fn send(&mut self, to: u64, view: Value, body: Body) {
        let label = body.label().to_owned();
        let term = view["term"].as_u64().unwrap_or(0);
        self.outbox.push(Outbound {
            to,
            message: Envelope {
                label,
                term,
                body,
                view: Some(view),
            },
        });
    }

    /// Queues a request and returns what its answer will arrive on.
    fn call(&mut self, to: u64, view: Value, request: impl FnOnce(u64) -> Body) -> oneshot::Receiver<Body> {
        // Calls given up (their receivers dropped) go, so the map stays as small as the calls in flight.
        self.waiting.retain(|_, (_, sender)| !sender.is_closed());
        self.requests += 1;
        let number = self.incarnation << 32 | self.requests;
        let (sender, receiver) = oneshot::channel();
        self.waiting.insert(number, (to, sender));
        self.send(to, view, request(number));
        receiver
    }

    /// Hands an answer from `from` to the call waiting for it, if one still is.
    pub fn answer(&mut self, from: u64, body: Body) {
        let request = match body {
            Body::AppendEntriesResponse { request, .. }
            | Body::VoteResponse { request, .. }
            | Body::InstallSnapshotResponse { request, .. } => request,
            Body::AppendEntries { .. } | Body::Vote { .. } | Body::InstallSnapshot { .. } => return,
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
    async fn call(&self, view: Value, request: impl FnOnce(u64) -> Body) -> Option<Body> {
        let receiver = self.shared.lock().mailbox.call(self.target, view, request);
        receiver.await.ok()
    }
}

impl RaftNetwork<TypeConfig> for Network {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, CallError> {
        let view = append_view(&rpc);
        match self.call(view, |request| Body::AppendEntries { request, rpc }).await {
            Some(Body::AppendEntriesResponse { rpc, .. }) => Ok(rpc),
            _ => Err(unanswerable("no answer to an append")),
        }
    }

    async fn vote(&mut self, rpc: VoteRequest<u64>, _option: RPCOption) -> Result<VoteResponse<u64>, CallError> {
        let view = vote_request_view(&rpc);
        match self.call(view, |request| Body::Vote { request, rpc }).await {
            Some(Body::VoteResponse { rpc, .. }) => Ok(rpc),
            _ => Err(unanswerable("no answer to a vote request")),
        }
    }

    /// One chunk of a snapshot (openraft's default `full_snapshot` cuts it into chunks of
    /// `snapshot_max_chunk_size`, 3 MiB: one chunk here) as a request like the others.
    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        _option: RPCOption,
    ) -> Result<InstallSnapshotResponse<u64>, CallError<InstallSnapshotError>> {
        let view = snapshot_view(&rpc);
        match self.call(view, |request| Body::InstallSnapshot { request, rpc }).await {
            Some(Body::InstallSnapshotResponse { rpc, .. }) => Ok(rpc),
            _ => Err(unanswerable("no answer to a snapshot")),
        }
    }
}

/// A log position as the contract counts it: index 0, the initial configuration every node holds
/// (node.rs), is the position before the first entry, as no entry at all is.
fn position(log_id: &Option<LogId>) -> (u64, u64) {
    log_id.map_or((0, 0), |log_id| (log_id.index, contract_term(&log_id.leader_id)))
}

fn vote_request_view(rpc: &VoteRequest<u64>) -> Value {
    let (last_index, last_term) = position(&rpc.last_log_id);
    let candidate = rpc.vote.leader_id().voted_for();
    json!({"kind": "voteRequest", "term": contract_term(rpc.vote.leader_id()), "candidate": candidate, "lastIndex": last_index, "lastTerm": last_term})
}

fn append_view(rpc: &AppendEntriesRequest<TypeConfig>) -> Value {
    let (prev_index, prev_term) = position(&rpc.prev_log_id);
    let entries = rpc.entries.iter().filter(|entry| entry.log_id.index > 0).count();
    let commit = position(&rpc.leader_commit).0;
    json!({"kind": "append", "term": contract_term(rpc.vote.leader_id()), "prevIndex": prev_index, "prevTerm": prev_term, "entries": entries, "commit": commit})
}

fn snapshot_view(rpc: &InstallSnapshotRequest<TypeConfig>) -> Value {
    let (index, snapshot_term) = position(&rpc.meta.last_log_id);
    json!({"kind": "snapshot", "term": contract_term(rpc.vote.leader_id()), "index": index, "snapshotTerm": snapshot_term})
}

/// The answer to a snapshot chunk: once the last chunk is in and the leader's vote stands, the
/// responder holds the snapshot's last entry (installed, or already committed); before that it
/// promises its term only.
pub fn snapshot_response_view(request: &InstallSnapshotRequest<TypeConfig>, answer: &InstallSnapshotResponse<u64>) -> Value {
    let term = contract_term(answer.vote.leader_id());
    if answer.vote.leader_id() != request.vote.leader_id() {
        return json!({"kind": "appendResponse", "term": term, "success": false, "matchIndex": 0});
    }
    if !request.done {
        return json!({"kind": "heartbeatResponse", "term": term});
    }
    json!({"kind": "appendResponse", "term": term, "success": true, "matchIndex": position(&request.meta.last_log_id).0})
}

pub fn vote_response_view(rpc: &VoteResponse<u64>) -> Value {
    json!({"kind": "voteResponse", "term": contract_term(rpc.vote.leader_id()), "granted": rpc.vote_granted})
}

/// The answer to `request`: on success the responder holds the leader's log up to the last entry
/// sent (or the one a partial success names).
pub fn append_response_view(request: &AppendEntriesRequest<TypeConfig>, answer: &AppendEntriesResponse<u64>) -> Value {
    let term = contract_term(request.vote.leader_id());
    let last_sent = request.entries.last().map(|entry| entry.log_id).or(request.prev_log_id);
    match answer {
        AppendEntriesResponse::Success => {
            json!({"kind": "appendResponse", "term": term, "success": true, "matchIndex": position(&last_sent).0})
        }
        AppendEntriesResponse::PartialSuccess(matched) => {
            json!({"kind": "appendResponse", "term": term, "success": true, "matchIndex": position(matched).0})
        }
        AppendEntriesResponse::Conflict => json!({"kind": "appendResponse", "term": term, "success": false, "matchIndex": 0}),
        AppendEntriesResponse::HigherVote(vote) => {
            json!({"kind": "appendResponse", "term": contract_term(vote.leader_id()), "success": false, "matchIndex": 0})
        }
    }
}
