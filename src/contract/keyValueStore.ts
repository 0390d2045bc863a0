// The replicated key-value state machine every reference node applies committed entries to.
// Sessions (client id, last sequence applied) make retried commands apply exactly once
// (Raft thesis 6.3). Its semantics live here, below both the reference and the invariants, so
// that a snapshot's contents can be judged against the committed commands by the same rules.

import type { Command } from '../contract/contract.js';

export interface KeyValueStoreOptions {
  /** Apply a client's command once, however often it is retried (false only for a bug of the corpus). */
  deduplicate: boolean;
}

/** A client's session as a snapshot carries it: the last sequence applied and its result. */
export interface ClientSession {
  client: number;
  sequence: number;
  result: string | null;
}

export class KeyValueStore {
  /** Whether the maps are shared with a clone: copy-on-write, the first change copies them. */
  private shared = false;

  constructor(
    private readonly options: KeyValueStoreOptions = { deduplicate: true },
    private values = new Map<string, string>(),
    private lastSequenceByClient = new Map<number, { sequence: number; result: string | null }>(),
  ) {}

  /** Applies a command and returns its result (the value read for get, the previous value otherwise). */
  apply(command: Command): string | null {
    this.own();
    if (this.options.deduplicate && command.client !== undefined && command.sequence !== undefined) {
      const session = this.lastSequenceByClient.get(command.client);
      if (session !== undefined && command.sequence <= session.sequence) return session.result;
    }
    const previous = this.values.get(command.key) ?? null;
    let result: string | null = previous;
    switch (command.op) {
      case 'set':
        this.values.set(command.key, command.value ?? '');
        break;
      case 'del':
        this.values.delete(command.key);
        break;
      case 'append':
        this.values.set(command.key, (previous ?? '') + (command.value ?? ''));
        break;
      case 'get':
        result = previous;
        break;
    }
    if (command.client !== undefined && command.sequence !== undefined) {
      this.lastSequenceByClient.set(command.client, { sequence: command.sequence, result });
    }
    return result;
  }

  get(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  /**
   * A copy that applies on independently (the explorer clones whole nodes, most of which never
   * apply a command again): it shares the maps until either side changes them.
   */
  clone(): KeyValueStore {
    const copy = new KeyValueStore(this.options, this.values, this.lastSequenceByClient);
    copy.shared = true;
    this.shared = true;
    return copy;
  }

  /** Copies the maps if a clone shares them, before a change. */
  private own(): void {
    if (!this.shared) return;
    const values = new Map<string, string>();
    for (const [key, value] of this.values) values.set(key, value);
    const sessions = new Map<number, { sequence: number; result: string | null }>();
    for (const [client, session] of this.lastSequenceByClient) sessions.set(client, session);
    this.values = values;
    this.lastSequenceByClient = sessions;
    this.shared = false;
  }

  /** The contents with keys in ascending order, as a snapshot carries them. */
  contents(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }

  /** The sessions in ascending client order, as a snapshot carries them. */
  sessions(): ClientSession[] {
    const clients = [...this.lastSequenceByClient.keys()].sort((a, b) => a - b);
    return clients.map((client) => ({ client, ...this.lastSequenceByClient.get(client)! }));
  }

  /** A store with this one's options holding a snapshot's contents and sessions, applying on from there. */
  restored(contents: Readonly<Record<string, string>>, sessions: readonly ClientSession[]): KeyValueStore {
    const store = new KeyValueStore(this.options);
    for (const key of Object.keys(contents)) store.values.set(key, contents[key]);
    for (const session of sessions) store.lastSequenceByClient.set(session.client, { sequence: session.sequence, result: session.result });
    return store;
  }

  /** Entries sorted by key, for digests. */
  entries(): [string, string][] {
    return [...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
