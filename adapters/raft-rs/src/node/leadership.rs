// Leadership transfer as raftcheck drives it (docs/CONTRACT.md, "Pre-vote, check-quorum,
// leadership transfer and lease reads"): RawNode::transfer_leader, answered at once. Pre-vote,
// check-quorum and lease reads are Config switches set at start (node.rs, config_of).

use raft::StateRole;

use super::{Node, Outcome};
use crate::protocol::{Answer, Output, Transfer};

impl Node {
    /// A leader refuses a transfer it cannot start (raft-rs would ignore one to itself or to a
    /// learner, and abort a transfer in progress for the new one) and otherwise hands it to
    /// raft-rs, which stops taking proposals, catches the target up and sends it MsgTimeoutNow.
    pub(super) fn transfer_leadership(&mut self, transfer: &Transfer, output: &mut Output) -> Outcome {
        let raft = &self.raw.raft;
        if raft.state != StateRole::Leader {
            output.answers.push(Answer::NotLeader {
                command_id: transfer.id,
                leader_hint: self.leader_hint(),
            });
            return self.drain(output);
        }
        let configuration = raft.prs().conf();
        let reason = if transfer.target == self.id {
            "the target is the leader itself".to_owned()
        } else if let Some(transferee) = raft.lead_transferee {
            format!("a transfer to node {} is in progress", transferee)
        } else if !configuration.voters().contains(transfer.target) {
            format!("node {} is not a voter of the configuration", transfer.target)
        } else {
            String::new()
        };
        if !reason.is_empty() {
            output.answers.push(Answer::Rejected {
                command_id: transfer.id,
                reason,
            });
            return self.drain(output);
        }
        let term = raft.term;
        self.raw.transfer_leader(transfer.target);
        output.answers.push(Answer::TransferAccepted {
            command_id: transfer.id,
            term,
        });
        self.drain(output)
    }
}
