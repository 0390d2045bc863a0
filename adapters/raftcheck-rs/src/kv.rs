// The replicated key-value state machine, with exactly the semantics of raftcheck's reference
// (src/contract/keyValueStore.ts) and of the Go adapters (adapters/raftcheck-go/kv.go): the
// harness compares results across implementations and judges client histories by
// linearizability, so any difference here would read as a bug in the library under test.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::protocol::Command;

#[derive(Clone)]
struct ClientSession {
    sequence: i64,
    result: Option<String>,
}

/// What a snapshot carries of the state machine: its contents and its client sessions, so that a
/// retried command still applies once after compaction.
#[derive(Serialize, Deserialize, Clone, Default)]
pub struct StoreState {
    pub data: BTreeMap<String, String>,
    pub sessions: Vec<SessionState>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct SessionState {
    pub client: i64,
    pub sequence: i64,
    pub result: Option<String>,
}

#[derive(Default)]
pub struct KeyValueStore {
    values: BTreeMap<String, String>,
    /// Client id -> the last sequence applied and its result, so that a retried command applies
    /// exactly once (Raft thesis 6.3).
    sessions: BTreeMap<i64, ClientSession>,
}

impl KeyValueStore {
    /// Applies a command and returns its result: the value read for a get, the previous value for
    /// set, append and del (None is null: no value).
    pub fn apply(&mut self, command: &Command) -> Option<String> {
        let session = command.client.zip(command.sequence);
        if let Some((client, sequence)) = session {
            if let Some(last) = self.sessions.get(&client) {
                if sequence <= last.sequence {
                    return last.result.clone();
                }
            }
        }
        let previous = self.values.get(&command.key).cloned();
        match command.op.as_str() {
            "set" => {
                self.values.insert(
                    command.key.clone(),
                    command.value.clone().unwrap_or_default(),
                );
            }
            "del" => {
                self.values.remove(&command.key);
            }
            "append" => {
                let value =
                    previous.clone().unwrap_or_default() + command.value.as_deref().unwrap_or("");
                self.values.insert(command.key.clone(), value);
            }
            _ => {} // get: the result is the value read
        }
        if let Some((client, sequence)) = session {
            self.sessions.insert(
                client,
                ClientSession {
                    sequence,
                    result: previous.clone(),
                },
            );
        }
        previous
    }

    /// Reads a key without applying anything (reads served by ReadIndex).
    pub fn get(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    /// The contents and sessions, keys and clients in ascending order, for a snapshot.
    pub fn state(&self) -> StoreState {
        let sessions = self.sessions.iter().map(|(client, session)| SessionState {
            client: *client,
            sequence: session.sequence,
            result: session.result.clone(),
        });
        StoreState {
            data: self.values.clone(),
            sessions: sessions.collect(),
        }
    }

    /// A store holding a snapshot's contents and sessions, applying on from there.
    pub fn restored(state: &StoreState) -> Self {
        let sessions = state.sessions.iter().map(|session| {
            (
                session.client,
                ClientSession {
                    sequence: session.sequence,
                    result: session.result.clone(),
                },
            )
        });
        KeyValueStore {
            values: state.data.clone(),
            sessions: sessions.collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(
        id: i64,
        op: &str,
        key: &str,
        value: Option<&str>,
        session: Option<(i64, i64)>,
    ) -> Command {
        Command {
            id,
            op: op.to_owned(),
            key: key.to_owned(),
            value: value.map(str::to_owned),
            client: session.map(|(client, _)| client),
            sequence: session.map(|(_, sequence)| sequence),
        }
    }

    #[test]
    fn set_append_del_and_get_answer_as_the_reference_does() {
        let mut store = KeyValueStore::default();
        assert_eq!(store.apply(&command(1, "set", "k", Some("a"), None)), None);
        assert_eq!(
            store.apply(&command(2, "append", "k", Some("b"), None)),
            Some("a".into())
        );
        assert_eq!(
            store.apply(&command(3, "get", "k", None, None)),
            Some("ab".into())
        );
        assert_eq!(
            store.apply(&command(4, "append", "missing", Some("x"), None)),
            None
        );
        assert_eq!(store.get("missing"), Some("x".into()));
        assert_eq!(
            store.apply(&command(5, "del", "k", None, None)),
            Some("ab".into())
        );
        assert_eq!(store.get("k"), None);
    }

    #[test]
    fn a_retried_command_of_a_session_applies_once_and_repeats_its_first_result() {
        let mut store = KeyValueStore::default();
        assert_eq!(
            store.apply(&command(1, "append", "k", Some("x"), Some((7, 1)))),
            None
        );
        assert_eq!(
            store.apply(&command(2, "append", "k", Some("x"), Some((7, 1)))),
            None
        );
        assert_eq!(store.get("k"), Some("x".into()));
        assert_eq!(
            store.apply(&command(3, "append", "k", Some("y"), Some((7, 2)))),
            Some("x".into())
        );
        assert_eq!(store.get("k"), Some("xy".into()));
    }

    #[test]
    fn a_restored_store_keeps_the_contents_and_the_sessions_of_the_one_it_was_taken_from() {
        let mut store = KeyValueStore::default();
        store.apply(&command(1, "append", "k", Some("x"), Some((7, 1))));
        let mut restored = KeyValueStore::restored(&store.state());
        assert_eq!(restored.get("k"), Some("x".into()));
        assert_eq!(
            restored.apply(&command(2, "append", "k", Some("x"), Some((7, 1)))),
            None
        );
        assert_eq!(restored.get("k"), Some("x".into()));
    }
}
