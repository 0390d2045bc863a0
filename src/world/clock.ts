// A node's clock as its implementation wants it (docs/CONTRACT.md, "Time-driven
// implementations"), for every driver: tick-driven nodes get one tick input per tick of their
// local clock; time-driven nodes (timing 'clock') get advance inputs carrying the local
// milliseconds that passed, only when their earliest timer is due (the wakeAfterMs of their last
// output) or before any other input, so that a message is never handled at a stale time. The
// driver keeps its own ticks (drift, jumps, pauses and slow nodes stay where they are); this
// decides which of them reach the node, and as what.

import type { Implementation, Input, Output, Timing } from '../contract/contract.js';

const tick: Input = Object.freeze({ kind: 'tick' });
/**
 * What nearly every tick hands a tick-driven node: built once, not on every tick. Neither list is
 * frozen: a frozen array sends the drivers' for-of over them down V8's slow path (an iterator
 * result allocated per input); they never leave the world's drivers, which only read them.
 */
const oneTick: readonly Input[] = [tick];
const noInputs: readonly Input[] = [];

export class NodeClock {
  readonly timing: Timing;
  /** Local ms that passed since the node's last input (time-driven nodes only). */
  private pendingMs = 0;
  /** When the node wants to run next, in local ms after its last input; undefined: at every tick. */
  private wakeAfterMs: number | null | undefined = undefined;

  constructor(
    implementation: Implementation,
    /** The local ms one tick stands for. */
    private readonly tickMs: number,
  ) {
    this.timing = implementation.timing ?? 'ticks';
  }

  /** A fresh instance started: nothing pending, no wake known. */
  started(): void {
    this.pendingMs = 0;
    this.wakeAfterMs = undefined;
  }

  /**
   * `ticks` ticks of the node's local clock passed (more than one for a clock jump): the inputs to
   * hand it now, in order (none while a time-driven node sleeps through them).
   */
  ticked(ticks: number): readonly Input[] {
    if (this.timing === 'ticks') return ticks === 1 ? oneTick : Array.from({ length: ticks }, () => tick);
    this.pendingMs += ticks * this.tickMs;
    if (this.wakeAfterMs === null || (this.wakeAfterMs !== undefined && this.pendingMs < this.wakeAfterMs)) return noInputs;
    return [this.advance()];
  }

  /** Before any other input: the advance that brings a time-driven node's clock up to now, if time passed. */
  catchUp(): Input | null {
    return this.timing === 'clock' && this.pendingMs > 0 ? this.advance() : null;
  }

  /** Every output: a time-driven node says when it next needs to run. */
  answered(output: Output): void {
    if (this.timing === 'clock') this.wakeAfterMs = output.wakeAfterMs;
  }

  private advance(): Input {
    const input: Input = { kind: 'advance', elapsedMs: this.pendingMs };
    this.pendingMs = 0;
    return input;
  }
}
