// A test implementation with asynchronous storage writes (feature 'asyncStorageWrites'), made from
// any synchronous one, as etcd's AsyncStorageWrites turns its Ready into local work: each output's
// records, and the messages that must wait for them (those of an output with a sync), become
// local append work; when the work comes back the node writes the records with a sync and sends
// the messages. A crash between the two loses both, as it would in etcd.
//
// acknowledgeBeforePersisting builds it wrong on purpose: the messages leave at once and only the
// records wait for the append thread, so a node promises (a vote, an acknowledged entry) what its
// storage does not hold yet. The durability probes must catch that.

import type { DurableRecord, Implementation, Input, NodeInstance, OutboundMessage, Output, StateView } from '../../src/contract/contract.js';
import { emptyList } from '../../src/contract/contract.js';

export interface AsyncStorageOptions {
  acknowledgeBeforePersisting?: boolean;
}

/** The body of one piece of local append work. */
interface AppendWork {
  records: readonly DurableRecord[];
  sync: boolean;
  messages: readonly OutboundMessage[];
}

export function asyncStorageImplementation(inner: Implementation, options: AsyncStorageOptions = {}): Implementation {
  const decode = inner.messageView?.bind(inner);
  return {
    name: `${inner.name}+async${options.acknowledgeBeforePersisting === true ? '+acknowledgeBeforePersisting' : ''}`,
    version: inner.version,
    features: [...(inner.features ?? []), 'asyncStorageWrites'],
    ...(inner.leaseDriftMax !== undefined ? { leaseDriftMax: inner.leaseDriftMax } : {}),
    createNode: () => new AsyncStorageNode(inner.createNode(), options),
    ...(decode !== undefined ? { messageView: (message) => (message.local !== undefined ? null : decode(message)) } : {}),
  };
}

class AsyncStorageNode implements NodeInstance {
  private id = 0;
  private on = false;
  private lastState: StateView | undefined;

  constructor(
    private readonly inner: NodeInstance,
    private readonly options: AsyncStorageOptions,
  ) {}

  step(input: Input): Output {
    if (input.kind === 'start') {
      this.id = input.id;
      this.on = input.options.asyncStorageWrites === true;
      const { asyncStorageWrites: _on, ...innerOptions } = input.options;
      return this.remember(this.inner.step({ ...input, options: innerOptions }));
    }
    if (input.kind === 'deliver' && input.message.local === 'append') return this.persisted(input.message.body as AppendWork);
    const output = this.remember(this.inner.step(input));
    if (!this.on || (output.records.length === 0 && !output.sync)) return output;
    const early = this.options.acknowledgeBeforePersisting === true;
    const work: AppendWork = { records: output.records, sync: output.sync, messages: early ? emptyList : output.messages };
    const local: OutboundMessage = { to: this.id, message: { type: 'StorageAppend', body: work, local: 'append' } };
    return { ...output, records: emptyList, sync: false, messages: [...(early ? output.messages : []), local] };
  }

  /** The append thread's work done: its records written and synced, then what waited for them sent. */
  private persisted(work: AppendWork): Output {
    const state = this.lastState === undefined ? {} : { state: { ...this.lastState, log: undefined } };
    return { messages: work.messages, records: work.records, sync: work.sync, applied: emptyList, answers: emptyList, ...state };
  }

  private remember(output: Output): Output {
    if (output.state !== undefined) this.lastState = output.state;
    return output;
  }

  dispose(): void {
    this.inner.dispose?.();
  }
}
