// Membership changes (docs/CONTRACT.md, "Membership changes") through raft-rs's ConfChangeV2: one
// step is a simple change, several a joint one that raft-rs leaves on its own (auto leave: the
// leader appends the empty leave entry once the joint one is applied). raft-rs's configuration
// takes effect when its entry is applied (RawNode::apply_conf_change), so the view reports the
// applied configuration as both the latest and the committed one (the adapter applies everything
// committed at once); raft-rs's progress tracker holds it, and the adapter reads it there.
//
// raft-rs turns a change proposed while another is unapplied (or while joint) into an empty
// entry, and fails to apply one that does not fit, so the leader checks both first (with raft-rs's
// own Changer) and answers rejected. raft-rs 0.7 keeps a leader that removed itself leading (its
// post_conf_change leaves that as a TODO); the adapter steps it down once it applies its removal,
// as etcd's StepDownOnRemoval does.
//
// A node that joins (start with no members) knows no configuration, and the cluster's first one
// is in no log entry: each configuration entry carries in its context, beside the change's id,
// the voters and learners it was proposed over, and a node with no configuration takes those first.

use raft::eraftpb::{ConfChangeSingle, ConfChangeTransition, ConfChangeType, ConfChangeV2, Entry};
use raft::{Changer, StateRole, INVALID_ID};

use super::{Node, Outcome};
use crate::protocol::{
    conf_change_of, configuration_of, Answer, Change, ChangeContext, ChangeStep, Configuration, ConfigurationView, Output,
};

impl Node {
    /// Answers an administrator's change: rejected when it cannot be proposed (the reason),
    /// accepted with its entry's index and term, or notLeader.
    pub(super) fn change_membership(&mut self, change: &Change, output: &mut Output) -> Outcome {
        if self.raw.raft.state != StateRole::Leader {
            output.answers.push(Answer::NotLeader {
                command_id: change.id,
                leader_hint: self.leader_hint(),
            });
            return self.drain(output);
        }
        let singles = match self.change_steps(change) {
            Ok(singles) => singles,
            Err(reason) => {
                output.answers.push(Answer::Rejected {
                    command_id: change.id,
                    reason,
                });
                return self.drain(output);
            }
        };
        let configuration = self.configuration();
        let context = ChangeContext {
            id: change.id,
            voters: configuration.voters,
            learners: configuration.learners,
        };
        let mut proposal = ConfChangeV2::default();
        proposal.set_transition(ConfChangeTransition::Auto);
        proposal.changes = singles.into();
        proposal.context = serde_json::to_vec(&context).map_err(|error| error.to_string())?.into();
        if self.raw.propose_conf_change(vec![], proposal).is_err() {
            // Dropped during a leadership transfer: the client should go to the target.
            output.answers.push(Answer::NotLeader {
                command_id: change.id,
                leader_hint: self.raw.raft.lead_transferee,
            });
            return self.drain(output);
        }
        // A leader appends a proposal to its log at once: it is the last entry.
        output.answers.push(Answer::Accepted {
            command_id: change.id,
            index: self.raw.raft.raft_log.last_index(),
            term: self.raw.raft.term,
        });
        self.drain(output)
    }

    /// The change as raft-rs's steps, or why it cannot be proposed now.
    fn change_steps(&self, change: &Change) -> Result<Vec<ConfChangeSingle>, String> {
        let raft = &self.raw.raft;
        if change.steps.is_empty() {
            return Err("a change without steps".into());
        }
        // raft-rs refuses (empties) a change until the leader has applied its first entry of the
        // term, and while another is unapplied or the configuration is joint.
        if raft.raft_log.term(self.applied_index).unwrap_or(0) != raft.term {
            return Err("no entry of the leader's term is applied yet".into());
        }
        let joint = !raft.prs().conf().to_conf_state().voters_outgoing.is_empty();
        if joint || raft.pending_conf_index > self.applied_index || self.conf_index_latest > self.applied_index {
            return Err("a configuration change is in progress".into());
        }
        let singles = change
            .steps
            .iter()
            .map(|step| self.single_of(step))
            .collect::<Result<Vec<_>, _>>()?;
        let mut changer = Changer::new(raft.prs());
        let checked = if singles.len() == 1 {
            changer.simple(&singles)
        } else {
            changer.enter_joint(true, &singles)
        };
        checked.map_err(|error| error.to_string())?;
        Ok(singles)
    }

    /// One step as raft-rs's change, or why it does not fit the configuration (raft-rs would take
    /// some of these as no-ops).
    fn single_of(&self, step: &ChangeStep) -> Result<ConfChangeSingle, String> {
        let configuration = self.raw.raft.prs().conf();
        let voter = configuration.voters().contains(step.node);
        let learner = configuration.learners().contains(&step.node);
        let change_type = match step.action.as_str() {
            "addVoter" | "addLearner" if voter || learner => return Err(format!("node {} is already a member", step.node)),
            "promote" if !learner => return Err(format!("node {} is not a learner", step.node)),
            "remove" if !voter && !learner => return Err(format!("node {} is not a member", step.node)),
            "addVoter" | "promote" => ConfChangeType::AddNode,
            "addLearner" => ConfChangeType::AddLearnerNode,
            "remove" => ConfChangeType::RemoveNode,
            other => return Err(format!("an unknown action {:?}", other)),
        };
        let mut single = ConfChangeSingle::default();
        single.set_change_type(change_type);
        single.node_id = step.node;
        Ok(single)
    }

    /// Applies a committed configuration entry, first taking the configuration it was proposed
    /// over when this node knows none (it joined), and returns the change's id.
    pub(super) fn apply_conf_change(&mut self, entry: &Entry) -> Result<i64, String> {
        let (change, context) = conf_change_of(entry)?;
        if self.knows_no_configuration() {
            self.adopt_configuration(&context)?;
        }
        self.raw
            .apply_conf_change(&change)
            .map_err(|error| format!("entry {}: a configuration change raft-rs cannot apply: {}", entry.index, error))?;
        self.conf_index = entry.index;
        self.configuration_changed = true;
        let raft = &mut self.raw.raft;
        if raft.state == StateRole::Leader && !raft.prs().conf().voters().contains(self.id) {
            let term = raft.term;
            raft.become_follower(term, INVALID_ID);
        }
        Ok(context.id)
    }

    /// Builds the configuration a change was proposed over, one node at a time.
    fn adopt_configuration(&mut self, context: &ChangeContext) -> Outcome {
        let voters = context.voters.iter().map(|id| (*id, ConfChangeType::AddNode));
        let learners = context.learners.iter().map(|id| (*id, ConfChangeType::AddLearnerNode));
        for (id, change_type) in voters.chain(learners) {
            let mut single = ConfChangeSingle::default();
            single.set_change_type(change_type);
            single.node_id = id;
            let mut change = ConfChangeV2::default();
            change.changes = vec![single].into();
            self.raw
                .apply_conf_change(&change)
                .map_err(|error| format!("adopting the configuration of a change: {}", error))?;
        }
        Ok(())
    }

    pub(super) fn knows_no_configuration(&self) -> bool {
        let configuration = self.raw.raft.prs().conf();
        configuration.voters().ids().is_empty() && configuration.learners().is_empty()
    }

    /// The configuration in force: raft-rs's, as applied.
    pub(super) fn configuration(&self) -> Configuration {
        configuration_of(&self.raw.raft.prs().conf().to_conf_state())
    }

    /// The view's configurations: raft-rs's, once applied, is the latest in force and committed alike.
    pub(super) fn configuration_view(&self) -> ConfigurationView {
        ConfigurationView {
            latest: self.configuration(),
            latest_index: self.conf_index,
            committed: self.configuration(),
            committed_index: self.conf_index,
        }
    }
}
