// The process protocol, versions 1 and 2 (docs/PROTOCOL.md): newline-delimited JSON over a
// program's stdin and stdout, one process per node instance. This file holds the parts that are
// pure data: the command line of `--impl "process:..."`, the hello exchange, and the check that
// a line the program wrote is an Output. Everything here returns a problem as a string naming
// the field and what was wrong, so that the caller can put it in an implementation error.
//
// Version 2 adds the optional features of the contract (membership, snapshots, pre-vote,
// check-quorum, leadership transfer, lease reads): a program lists those it supports in its hello
// answer (with lease reads, the clock drift its leases assume; with membership, the options it
// needs on while a removed node runs on), and the harness sends an input or
// option of a feature only to a program that lists it. A version 1 program lists none and is
// driven exactly as before.

import type { Feature, Output, RemovedNodeGuard, Timing } from '../../contract/contract.js';
import { allFeatures, removedNodeGuards } from '../../contract/contract.js';

/** The newest version this harness speaks, which its hello names; it drives every older one too. */
export const protocolVersion = 2;
export const protocolVersions: readonly number[] = [1, 2];

/** The first line the harness sends to every process, before any input. */
export const helloLine = JSON.stringify({ kind: 'hello', protocol: protocolVersion });

/** Default bound on one line written by the program; a longer one is an implementation error. */
export const outputBytesMaxDefault = 16 * 1024 * 1024;
/** Default bound on the wait for one answer (spawn and hello included), in milliseconds. */
export const answerTimeoutMsDefault = 10_000;
/** Lines of the program's stderr kept for error reports. */
export const stderrLinesMax = 50;

export interface ProgramCommand {
  command: string;
  args: string[];
}

/**
 * Splits a command line into words, as a POSIX shell would for plain words and quotes: words
 * are separated by whitespace, '...' keeps everything literally, "..." keeps everything but \"
 * and \\, and a backslash outside quotes escapes the next character. No variables, globs or
 * operators: the program is started directly, without a shell, so that killing it kills it.
 */
export function parseCommandLine(text: string): { ok: true; command: ProgramCommand } | { ok: false; message: string } {
  const words: string[] = [];
  let word: string | null = null;
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (/\s/.test(character)) {
      if (word !== null) words.push(word);
      word = null;
      index += 1;
      continue;
    }
    word ??= '';
    if (character === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) return { ok: false, message: `unterminated ' quote at character ${index + 1} of ${JSON.stringify(text)}` };
      word += text.slice(index + 1, end);
      index = end + 1;
    } else if (character === '"') {
      index += 1;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === '\\' && (text[index + 1] === '"' || text[index + 1] === '\\')) index += 1;
        word += text[index];
        index += 1;
      }
      if (index >= text.length) return { ok: false, message: `unterminated " quote in ${JSON.stringify(text)}` };
      index += 1;
    } else if (character === '\\' && index + 1 < text.length) {
      word += text[index + 1];
      index += 2;
    } else {
      word += character;
      index += 1;
    }
  }
  if (word !== null) words.push(word);
  if (words.length === 0) return { ok: false, message: 'the process command is empty: write --impl "process:PROGRAM ARGS..."' };
  return { ok: true, command: { command: words[0], args: words.slice(1) } };
}

export interface Hello {
  name: string;
  version: string;
  /**
   * The program takes a second `start` as a fresh instance (all in-memory state dropped), so the
   * harness may hand one process several instances in turn instead of starting one per instance.
   */
  restartable: boolean;
  /** "clock": a time-driven implementation, driven by advance inputs instead of ticks. */
  timing: Timing;
  /** The version the program answered with. */
  protocol: number;
  /** The optional parts of the contract it supports (protocol 2; none under protocol 1), in allFeatures order. */
  features: readonly Feature[];
  /** Feature 'leaseReads' (and only with it): the clock drift its leases assume (Implementation.leaseDriftMax). */
  leaseDriftMax?: number;
  /** Feature 'membership': the options it needs on while a removed node runs on (Implementation.removedNodeGuards); absent: none. */
  removedNodeGuards?: readonly RemovedNodeGuard[];
}

/** The program's answer to hello, or what is wrong with it. */
export function parseHello(line: string): { ok: true; hello: Hello } | { ok: false; message: string } {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return { ok: false, message: `answered hello with a line that is not JSON: ${excerpt(line)}` };
  }
  if (!isObject(data)) return { ok: false, message: `answered hello with ${excerpt(line)}, not an object {protocol, name, version}` };
  if (typeof data.protocol !== 'number' || !protocolVersions.includes(data.protocol)) {
    return {
      ok: false,
      message: `answered hello with protocol ${JSON.stringify(data.protocol)}; this raftcheck speaks protocols ${protocolVersions.join(' and ')} (docs/PROTOCOL.md)`,
    };
  }
  if (typeof data.name !== 'string' || data.name.length === 0) return { ok: false, message: `answered hello without a name (a non-empty string): ${excerpt(line)}` };
  if (typeof data.version !== 'string') return { ok: false, message: `answered hello without a version (a string): ${excerpt(line)}` };
  if (data.restartable !== undefined && typeof data.restartable !== 'boolean') return { ok: false, message: `answered hello with restartable not a boolean: ${excerpt(line)}` };
  if (data.timing !== undefined && data.timing !== 'ticks' && data.timing !== 'clock') return { ok: false, message: `answered hello with timing ${JSON.stringify(data.timing)}: expected "ticks" or "clock"` };
  const timing = data.timing === 'clock' ? 'clock' : 'ticks';
  const features = featuresOf(data.features, data.protocol);
  if (typeof features === 'string') return { ok: false, message: features };
  const drift = leaseDriftOf(data.leaseDriftMax, features);
  if (typeof drift === 'string') return { ok: false, message: drift };
  const guards = removedNodeGuardsOf(data.removedNodeGuards, features);
  if (typeof guards === 'string') return { ok: false, message: guards };
  const hello: Hello = { name: data.name, version: data.version, restartable: data.restartable === true, timing, protocol: data.protocol, features };
  if (drift !== null) hello.leaseDriftMax = drift;
  if (guards.length > 0) hello.removedNodeGuards = guards;
  return { ok: true, hello };
}

/** The drift a hello declares for its leases: required with the leaseReads feature, refused without it. */
function leaseDriftOf(declared: unknown, features: readonly Feature[]): number | null | string {
  const leases = features.includes('leaseReads');
  if (declared === undefined) return leases ? 'answered hello with the leaseReads feature but no leaseDriftMax (the clock drift its leases assume, a number in [0, 1))' : null;
  if (!leases) return `answered hello with leaseDriftMax ${excerpt(JSON.stringify(declared))} but without the leaseReads feature`;
  if (typeof declared !== 'number' || !Number.isFinite(declared) || declared < 0 || declared >= 1) {
    return `answered hello with leaseDriftMax ${excerpt(JSON.stringify(declared))}; expected a number in [0, 1)`;
  }
  return declared;
}

/** The guards a hello declares for removed nodes that run on (none when absent): a list of options it lists as features, with membership. */
function removedNodeGuardsOf(declared: unknown, features: readonly Feature[]): readonly RemovedNodeGuard[] | string {
  if (declared === undefined) return [];
  const expected = `expected a list of ${removedNodeGuards.join(' and ')}, each also a feature it lists`;
  if (!Array.isArray(declared)) return `answered hello with removedNodeGuards ${typeName(declared)}; ${expected}`;
  if (declared.length > 0 && !features.includes('membership')) return `answered hello with removedNodeGuards ${excerpt(JSON.stringify(declared))} but without the membership feature`;
  for (let index = 0; index < declared.length; index += 1) {
    const guard = declared[index] as unknown;
    if (!removedNodeGuards.includes(guard as RemovedNodeGuard) || !features.includes(guard as Feature)) {
      return `answered hello with removedNodeGuards[${index}] ${excerpt(JSON.stringify(guard) ?? 'undefined')}; ${expected}`;
    }
  }
  // In the order declared: the swarm switches on the first (src/sim/removedNodes.ts).
  return [...new Set(declared as RemovedNodeGuard[])];
}

/** The features a hello lists (none when absent), or what is wrong with them. */
function featuresOf(listed: unknown, protocol: number): readonly Feature[] | string {
  if (listed === undefined) return [];
  if (protocol < 2) return `answered hello with protocol 1 and features ${excerpt(JSON.stringify(listed))}; features need protocol 2 (docs/PROTOCOL.md)`;
  if (!Array.isArray(listed)) return `answered hello with features ${typeName(listed)}; expected a list of feature names (${allFeatures.join(', ')})`;
  for (let index = 0; index < listed.length; index += 1) {
    const feature = listed[index] as unknown;
    if (!allFeatures.includes(feature as Feature)) {
      return `answered hello with an unknown feature ${excerpt(JSON.stringify(feature) ?? 'undefined')} (features[${index}]); known features: ${allFeatures.join(', ')}`;
    }
  }
  return allFeatures.filter((feature) => listed.includes(feature));
}

/** An Output as the program wrote it, plus its optional state digest. */
export interface ProgramOutput extends Output {
  digest?: string;
}

/**
 * Parses and checks one answer line. The checks are about types and shape, field by field; what
 * only the world knows (an unknown peer, a view that does not fit) the simulation checks itself.
 */
export function parseOutput(line: string): { ok: true; output: ProgramOutput } | { ok: false; message: string } {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (error) {
    return { ok: false, message: `wrote a line that is not JSON (${(error as Error).message}): ${excerpt(line)}` };
  }
  const problem = outputProblem(data);
  if (problem !== null) return { ok: false, message: `answered with a wrong shape: ${problem}` };
  return { ok: true, output: data as ProgramOutput };
}

function outputProblem(data: unknown): string | null {
  if (!isObject(data)) return `expected an object {messages, records, sync, applied, answers}, got ${typeName(data)}`;
  for (const field of ['messages', 'records', 'applied', 'answers'] as const) {
    if (!Array.isArray(data[field])) return `output.${field}: expected a list, got ${typeName(data[field])}`;
  }
  if (typeof data.sync !== 'boolean') return `output.sync: expected true or false, got ${typeName(data.sync)}`;
  const problem =
    firstProblem(data.messages as unknown[], messageProblem) ??
    firstProblem(data.applied as unknown[], appliedProblem) ??
    firstProblem(data.answers as unknown[], answerProblem) ??
    (data.state === undefined ? null : stateProblem(data.state));
  if (problem !== null) return problem;
  if (data.digest !== undefined && typeof data.digest !== 'string') return `output.digest: expected a string, got ${typeName(data.digest)}`;
  return null;
}

function firstProblem(items: unknown[], problemOf: (item: unknown, index: number) => string | null): string | null {
  for (let index = 0; index < items.length; index += 1) {
    const problem = problemOf(items[index], index);
    if (problem !== null) return problem;
  }
  return null;
}

function messageProblem(outbound: unknown, index: number): string | null {
  const at = `output.messages[${index}]`;
  if (!isObject(outbound)) return `${at}: expected {to, message}, got ${typeName(outbound)}`;
  if (!isInteger(outbound.to)) return `${at}.to: expected a node id (an integer), got ${typeName(outbound.to)}`;
  const message = outbound.message;
  if (!isObject(message)) return `${at}.message: expected {type, body}, got ${typeName(message)}`;
  if (typeof message.type !== 'string') return `${at}.message.type: expected a string, got ${typeName(message.type)}`;
  if (message.term !== undefined && !isInteger(message.term)) return `${at}.message.term: expected an integer, got ${typeName(message.term)}`;
  return null;
}

function appliedProblem(entry: unknown, index: number): string | null {
  const at = `output.applied[${index}]`;
  if (!isObject(entry)) return `${at}: expected {index, term, commandId}, got ${typeName(entry)}`;
  for (const field of ['index', 'term', 'commandId'] as const) {
    if (!isInteger(entry[field])) return `${at}.${field}: expected an integer, got ${typeName(entry[field])}`;
  }
  if (entry.result !== undefined && entry.result !== null && typeof entry.result !== 'string') return `${at}.result: expected a string or null, got ${typeName(entry.result)}`;
  return null;
}

function answerProblem(answer: unknown, index: number): string | null {
  const at = `output.answers[${index}]`;
  if (!isObject(answer) || !isInteger(answer.commandId)) return `${at}: expected {commandId, kind, ...} with an integer commandId, got ${excerpt(JSON.stringify(answer) ?? 'undefined')}`;
  switch (answer.kind) {
    case 'accepted':
      return isInteger(answer.index) && isInteger(answer.term) ? null : `${at}: an accepted answer needs integer index and term`;
    case 'notLeader':
      return answer.leaderHint === null || isInteger(answer.leaderHint) ? null : `${at}.leaderHint: expected a node id or null, got ${typeName(answer.leaderHint)}`;
    case 'read':
      return answer.value === null || typeof answer.value === 'string' ? null : `${at}.value: expected a string or null, got ${typeName(answer.value)}`;
    case 'rejected':
      return typeof answer.reason === 'string' ? null : `${at}.reason: expected a string (why the request was refused), got ${typeName(answer.reason)}`;
    case 'transferAccepted':
      return isInteger(answer.term) ? null : `${at}.term: expected an integer (the term of the leader that started the transfer), got ${typeName(answer.term)}`;
    default:
      return `${at}.kind: expected "accepted", "notLeader", "read", "rejected" or "transferAccepted", got ${typeName(answer.kind)}`;
  }
}

function stateProblem(state: unknown): string | null {
  if (!isObject(state)) return `output.state: expected an object, got ${typeName(state)}`;
  if (state.role !== 'follower' && state.role !== 'candidate' && state.role !== 'leader') {
    return `output.state.role: expected "follower", "candidate" or "leader", got ${typeName(state.role)}`;
  }
  for (const field of ['term', 'commitIndex', 'appliedIndex'] as const) {
    if (!isInteger(state[field])) return `output.state.${field}: expected an integer, got ${typeName(state[field])}`;
  }
  for (const field of ['votedFor', 'leaderHint'] as const) {
    if (state[field] !== null && !isInteger(state[field])) return `output.state.${field}: expected a node id or null, got ${typeName(state[field])}`;
  }
  for (const field of ['snapshotIndex', 'snapshotTerm'] as const) {
    if (state[field] !== undefined && !isInteger(state[field])) return `output.state.${field}: expected an integer, got ${typeName(state[field])}`;
  }
  for (const field of ['voteGuard', 'leaseHeld'] as const) {
    if (state[field] !== undefined && typeof state[field] !== 'boolean') return `output.state.${field}: expected true or false, got ${typeName(state[field])}`;
  }
  const log = state.log;
  if (log === undefined) return null;
  if (!isObject(log) || !isInteger(log.from) || !Array.isArray(log.entries)) return 'output.state.log: expected {from: integer, entries: [{term, commandId}]}';
  const entries = log.entries as unknown[];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index];
    if (!isObject(entry) || !isInteger(entry.term) || !isInteger(entry.commandId)) {
      return `output.state.log.entries[${index}]: expected {term, commandId} integers, got ${excerpt(JSON.stringify(entry) ?? 'undefined')}`;
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${excerpt(JSON.stringify(value))}`;
}

/** A long line cut to something a report can show. */
export function excerpt(text: string, charactersMax = 200): string {
  return text.length <= charactersMax ? text : `${text.slice(0, charactersMax)}... (${text.length} characters)`;
}
