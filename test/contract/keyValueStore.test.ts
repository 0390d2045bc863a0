// The key-value store's clone shares its maps until either side changes them (the explorer clones
// every node it steps, and most clones never apply a command): each side must still apply on as
// if it had its own copy, sessions included.

import { describe, expect, it } from 'vitest';
import { KeyValueStore } from '../../src/contract/keyValueStore.js';

const set = (id: number, key: string, value: string, client?: number, sequence?: number) => ({ id, op: 'set' as const, key, value, client, sequence });

describe('a key-value store and its clone', () => {
  it('apply on independently: a change to either one leaves the other as it was', () => {
    const store = new KeyValueStore();
    store.apply(set(1, 'k', 'a', 1, 1));
    const copy = store.clone();
    copy.apply(set(2, 'k', 'b', 1, 2));
    expect([store.get('k'), copy.get('k')]).toEqual(['a', 'b']);
    store.apply(set(3, 'j', 'c'));
    expect([store.get('j'), copy.get('j')]).toEqual(['c', null]);
    expect(store.sessions()).toEqual([{ client: 1, sequence: 1, result: null }]);
    expect(copy.sessions()).toEqual([{ client: 1, sequence: 2, result: 'a' }]);
  });

  it('keep their own sessions: a retry the clone has applied is new to the original', () => {
    const store = new KeyValueStore();
    const copy = store.clone();
    const clone2 = copy.clone();
    copy.apply(set(1, 'k', 'x', 7, 1));
    expect(store.apply(set(1, 'k', 'y', 7, 1))).toBeNull();
    expect([store.get('k'), copy.get('k'), clone2.get('k')]).toEqual(['y', 'x', null]);
  });
});
