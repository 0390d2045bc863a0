// Membership changes (docs/CONTRACT.md, "Membership changes") through openraft's
// `Raft::change_membership`. openraft changes voters only through a joint configuration: the call
// appends the joint entry (old voters outgoing, new incoming), waits until it is committed and
// applied, then appends the uniform one itself (the contract's "entry the implementation made
// itself"). A change of learners alone (openraft's nodes that are not voters) is one uniform entry.
// openraft's configuration takes effect when appended and is recovered from the log (or the
// snapshot) on restart.
//
// The call is a task on the node's runtime: a leader appends the joint entry before the input ends
// (`accepted`, its index and term); openraft refuses a change while the latest configuration is
// not committed (`InProgress`) or when it would leave no voter (`rejected`, with openraft's words);
// a node that is not leader answers `ForwardToLeader` (`notLeader`). The second step belongs to the
// calling task, so a leader that crashes between the two leaves the joint configuration in its log;
// openraft would then enter the next change from the joint one directly (`Membership::change`), which
// the contract does not allow: a leader whose committed configuration is joint and that no task is
// leaving leaves it first, as the task would have (leave_stranded_joint).
//
// What openraft cannot express is rejected before it is asked: its ChangeMembers adds nodes as
// voters or replaces the voters among nodes it already has, never both, so a joint change that
// brings in a node that is not yet a learner (the harness's replacement: a spare in, a voter out)
// is refused; and a step that would change nothing (adding a member, promoting a voter) is refused
// rather than appended as an unchanged configuration.
//
// openraft's configuration entries carry the membership only, no context: every one shows
// commandId 0 in the view and in `applied`, the change's id included.

use std::collections::{BTreeMap, BTreeSet};

use openraft::error::{ClientWriteError, RaftError};
use openraft::{ChangeMembers, EmptyNode, EntryPayload, Membership, ServerState};

use super::Node;
use crate::protocol::{Answer, Change, Configuration, ConfigurationView};
use crate::storage::Shared;
use crate::types::LogId;

type Members = Membership<u64, EmptyNode>;

impl Node {
    /// Answers an administrator's change: accepted with the joint (or only) entry's index and term,
    /// rejected with the reason, or notLeader.
    pub(super) fn change_membership(&mut self, change: &Change) -> Result<Answer, String> {
        let metrics = self.raft.metrics().borrow().clone();
        if metrics.state != ServerState::Leader {
            return Ok(Answer::NotLeader {
                command_id: change.id,
                leader_hint: metrics.current_leader.filter(|leader| *leader != self.id),
            });
        }
        let members = match change_members(metrics.membership_config.membership(), change) {
            Ok(members) => members,
            Err(reason) => {
                return Ok(Answer::Rejected {
                    command_id: change.id,
                    reason,
                })
            }
        };
        let raft = self.raft.clone();
        let task = self.runtime.spawn(async move { raft.change_membership(members, false).await });
        self.settle()?;
        if let Some(log_id) = self.appended_configuration() {
            return Ok(Answer::Accepted {
                command_id: change.id,
                index: log_id.index,
                term: crate::types::contract_term(&log_id.leader_id),
            });
        }
        if !task.is_finished() {
            return Err(format!("change {} neither appended nor refused once the node was idle", change.id));
        }
        let result = self
            .runtime
            .block_on(task)
            .map_err(|error| format!("change {}: {}", change.id, error))?;
        match result {
            Err(RaftError::APIError(ClientWriteError::ForwardToLeader(forward))) => Ok(Answer::NotLeader {
                command_id: change.id,
                leader_hint: forward.leader_id,
            }),
            Err(RaftError::APIError(ClientWriteError::ChangeMembershipError(error))) => Ok(Answer::Rejected {
                command_id: change.id,
                reason: error.to_string(),
            }),
            Err(RaftError::Fatal(fatal)) => Err(format!("change {}: openraft stopped: {}", change.id, fatal)),
            Ok(_) => Err(format!("change {} committed without an entry appended", change.id)),
        }
    }

    /// The first configuration entry appended by this input.
    fn appended_configuration(&self) -> Option<LogId> {
        let shared = self.shared.lock();
        let from = shared.log_changed_from?;
        shared
            .log
            .range(from..)
            .find_map(|(_, entry)| matches!(entry.payload, EntryPayload::Membership(_)).then_some(entry.log_id))
    }

    /// A leader whose committed configuration is joint, with no task left to leave it (the one
    /// that entered it ended with a crash), leaves it to the incoming voters: what the task's
    /// second step does.
    pub(super) fn leave_stranded_joint(&mut self) -> Result<(), String> {
        let metrics = self.raft.metrics().borrow().clone();
        let effective = metrics.membership_config.clone();
        if metrics.state != ServerState::Leader || !(effective.membership().get_joint_config().len() > 1) {
            return Ok(());
        }
        let committed = self.shared.lock().committed;
        if effective.log_id() > &committed {
            return Ok(());
        }
        let incoming = effective.membership().get_joint_config().last().cloned().unwrap_or_default();
        let raft = self.raft.clone();
        self.runtime
            .spawn(async move { raft.change_membership(ChangeMembers::ReplaceAllVoters(incoming), false).await });
        self.settle()
    }
}

/// The harness's steps as one openraft change over the configuration in force, or why openraft
/// cannot make it (the module comment says which).
fn change_members(membership: &Members, change: &Change) -> Result<ChangeMembers<u64, EmptyNode>, String> {
    if membership.get_joint_config().len() > 1 {
        return Err("a joint configuration is in force (openraft leaves it first)".into());
    }
    let voters: BTreeSet<u64> = membership.get_joint_config().last().cloned().unwrap_or_default();
    let nodes: BTreeSet<u64> = membership.nodes().map(|(id, _)| *id).collect();
    let one = |node: u64| -> BTreeSet<u64> { [node].into() };
    let empty = |node: u64| -> BTreeMap<u64, EmptyNode> { [(node, EmptyNode::default())].into() };
    if let [step] = change.steps.as_slice() {
        let (node, voter, member) = (step.node, voters.contains(&step.node), nodes.contains(&step.node));
        return match step.action.as_str() {
            "addVoter" | "addLearner" if member => Err(format!("node {} is already a member", node)),
            "promote" if voter || !member => Err(format!("node {} is not a learner", node)),
            "remove" if !member => Err(format!("node {} is not a member", node)),
            "addVoter" => Ok(ChangeMembers::AddVoters(empty(node))),
            "addLearner" => Ok(ChangeMembers::AddNodes(empty(node))),
            "promote" => Ok(ChangeMembers::AddVoterIds(one(node))),
            "remove" if voter => Ok(ChangeMembers::RemoveVoters(one(node))),
            "remove" => Ok(ChangeMembers::RemoveNodes(one(node))),
            other => Err(format!("an unknown action {:?}", other)),
        };
    }
    if change.steps.is_empty() {
        return Err("a change without steps".into());
    }
    let mut incoming = voters.clone();
    for step in &change.steps {
        let learner = nodes.contains(&step.node) && !voters.contains(&step.node);
        match step.action.as_str() {
            "promote" if learner => incoming.insert(step.node),
            "remove" if voters.contains(&step.node) => incoming.remove(&step.node),
            "addVoter" if !nodes.contains(&step.node) => {
                return Err(format!("openraft cannot add node {} and change the voters in one change (ChangeMembers adds voters or replaces them among its nodes, never both)", step.node))
            }
            _ => return Err(format!("step {} {} does not fit a joint change of the voters", step.action, step.node)),
        };
    }
    Ok(ChangeMembers::ReplaceAllVoters(incoming))
}

/// A membership as the contract writes a configuration: the incoming voters, the outgoing ones
/// of a joint configuration, and the nodes that are no voter as learners.
pub(super) fn configuration_of(membership: &Members) -> Configuration {
    let configs = membership.get_joint_config();
    let voters_outgoing = if configs.len() > 1 {
        configs[0].iter().copied().collect()
    } else {
        Vec::new()
    };
    let mut learners: Vec<u64> = membership.learner_ids().collect();
    learners.sort_unstable();
    Configuration {
        voters: configs.last().map(|voters| voters.iter().copied().collect()).unwrap_or_default(),
        learners,
        voters_outgoing,
    }
}

/// The configuration in force (the latest appended, or the snapshot's) and the latest committed;
/// none for a node that joined and has not yet received one.
pub(super) fn configuration_view(shared: &Shared) -> Option<ConfigurationView> {
    let (latest_index, latest) = configuration_at(shared, u64::MAX)?;
    let commit_index = shared.committed.map_or(0, |log_id| log_id.index);
    let (committed_index, committed) = configuration_at(shared, commit_index).unwrap_or((latest_index, latest.clone()));
    Some(ConfigurationView {
        latest: configuration_of(&latest),
        latest_index,
        committed: configuration_of(&committed),
        committed_index,
    })
}

/// The latest configuration entry at or below `index`, in the log or else in the snapshot.
fn configuration_at(shared: &Shared, index: u64) -> Option<(u64, Members)> {
    let in_log = shared.log.range(..=index).rev().find_map(|(at, entry)| match &entry.payload {
        EntryPayload::Membership(membership) => Some((*at, membership.clone())),
        _ => None,
    });
    in_log.or_else(|| {
        let stored = &shared.snapshot.as_ref()?.meta.last_membership;
        Some((stored.log_id().map_or(0, |log_id| log_id.index), stored.membership().clone()))
    })
}
