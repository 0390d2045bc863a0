// The reference Raft as a program speaking the process protocol (docs/PROTOCOL.md):
//
//   node dist/src/adapters/referenceProcess.js [--bug NAME]... [--digest]
//
// Its hello names it exactly as the in-process reference is named ("reference", or
// "reference+BUG+..." with bugs), with the same version, so that a run over the protocol has the
// same trace hash as the same run in process: that equality is the test that the protocol
// carries everything. It speaks protocol 2 and lists the features the in-process reference
// declares (src/adapters/reference.ts); to a harness that speaks only protocol 1 it answers as a
// version 1 program, with no features. Its messages carry their views (docs/CONTRACT.md,
// "Message views"), so that durability probes can run over the protocol too. --digest adds the state digest to every output (for the
// explorer's world fingerprints; it costs a pass over the log per input).
//
// Reads and writes are synchronous (fs.readSync and fs.writeSync on fds 0 and 1): the program
// only ever waits for its next input, and skipping the event loop saves a wake-up per input.

import type { Implementation, Input, NodeInstance } from '../contract/contract.js';
import { referenceImplementation } from './reference.js';
import { protocolVersion } from './process/protocol.js';
import { readSome, writeAll } from './process/syncIo.js';
import { bugsFromNames } from '../raft/bugs.js';

function parseArguments(argv: readonly string[]): { bugs: string[]; digest: boolean } {
  const bugs: string[] = [];
  let digest = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--digest') digest = true;
    else if (argument === '--bug' && index + 1 < argv.length) {
      bugs.push(argv[index + 1]);
      index += 1;
    } else if (argument.startsWith('--bug=')) bugs.push(argument.slice('--bug='.length));
    else {
      process.stderr.write(`referenceProcess: unknown argument ${JSON.stringify(argument)}; usage: referenceProcess [--bug NAME]... [--digest]\n`);
      process.exit(2);
    }
  }
  return { bugs, digest };
}

/** The answer to the harness's hello: version 2 with the reference's features, or version 1 to a harness that speaks only that. */
function helloAnswer(harnessProtocol: number | undefined, implementation: Implementation): string {
  const answer = { name: implementation.name, version: implementation.version, restartable: true };
  if (harnessProtocol === 1) return JSON.stringify({ protocol: 1, ...answer });
  if (harnessProtocol !== protocolVersion) process.stderr.write(`referenceProcess: the harness speaks protocol ${harnessProtocol}, this program ${protocolVersion}\n`);
  const leases = implementation.leaseDriftMax === undefined ? {} : { leaseDriftMax: implementation.leaseDriftMax };
  const guards = implementation.removedNodeGuards === undefined ? {} : { removedNodeGuards: implementation.removedNodeGuards };
  return JSON.stringify({ protocol: protocolVersion, ...answer, features: implementation.features ?? [], ...leases, ...guards });
}

function main(): void {
  const { bugs, digest } = parseArguments(process.argv.slice(2));
  const implementation = referenceImplementation(bugsFromNames(bugs));
  let node: NodeInstance | null = null;
  const answer = (line: string): string => {
    const message = JSON.parse(line) as { kind: string; protocol?: number };
    if (message.kind === 'hello') return helloAnswer(message.protocol, implementation);
    // Restartable: every start is a fresh instance, so the harness may reuse this process.
    if (message.kind === 'start' || node === null) node = implementation.createNode();
    const stepped = node.step(message as Input);
    // Over the protocol a message carries its view itself (in process the harness asks messageView).
    const output = { ...stepped, messages: stepped.messages.map((outbound) => ({ ...outbound, message: { ...outbound.message, view: implementation.messageView!(outbound.message) ?? undefined } })) };
    return JSON.stringify(digest ? { ...output, digest: node.stateDigest?.() } : output);
  };

  const buffer = Buffer.allocUnsafe(1 << 16);
  let pending: Buffer[] = [];
  for (;;) {
    const count = readSome(0, buffer);
    if (count === 0) return; // stdin closed: the harness is done with this node
    let start = 0;
    const chunk = buffer.subarray(0, count);
    const replies: string[] = [];
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      const line = pending.length === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
      pending = [];
      start = newline + 1;
      replies.push(answer(line));
    }
    if (start < count) pending.push(Buffer.from(chunk.subarray(start)));
    if (replies.length > 0 && !writeAll(1, `${replies.join('\n')}\n`)) return;
  }
}

main();
