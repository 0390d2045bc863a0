// The command line: parse argv with yargs and call the library. Every command returns its exit
// code; bad input becomes a message and exit code 2, a bug in raftcheck exit code 5.

import yargs from 'yargs';
import { ScenarioError } from '../check/scenarios.js';
import { TraceFileError } from '../check/traces.js';
import { exitCodeHelp, exitCodes } from '../report/exitCodes.js';
import type { CommandIo } from './io.js';
import { UsageError } from './io.js';
import { bugsCommand } from './bugsCommand.js';
import { defaultSeedCount, runCommand } from './runCommand.js';
import { scenariosCommand } from './scenariosCommand.js';
import { replayTraceCommand, showTraceCommand, shrinkTraceCommand } from './traceCommands.js';

export async function main(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const fail = (message: string, code: number) => {
    io.stderr.write(`raftcheck: ${message}\n`);
    exitCode = code;
  };
  const guarded = (action: () => number) => {
    try {
      exitCode = action();
    } catch (error) {
      if (error instanceof UsageError || error instanceof ScenarioError || error instanceof TraceFileError) fail(error.message, exitCodes.usage);
      else fail(`harness error (a bug in raftcheck, please report it):\n${error instanceof Error ? error.stack : String(error)}`, exitCodes.harnessError);
    }
  };

  const parser = yargs([...argv])
    .scriptName('raftcheck')
    .usage('$0 <command> [options]\n\nA deterministic fault-injection test harness for Raft.')
    .command(
      'run',
      'Run seeded simulations of a Raft cluster under faults: safety invariants after every event, liveness once the faults stop; failures are shrunk.',
      (command) =>
        command
          .option('seeds', { type: 'number', describe: `Number of seeds to run (default ${defaultSeedCount})` })
          .option('seed', { type: 'number', describe: 'Run exactly this one seed' })
          .option('first-seed', { type: 'number', default: 1, describe: 'First seed of the range given by --seeds' })
          .option('nodes', { type: 'number', describe: "Cluster size (default: the scenario's, 5 for default)" })
          .option('scenario', { type: 'string', default: 'default', describe: 'Shipped scenario name, or a path to a scenario .json file' })
          .option('check-determinism', { type: 'boolean', default: false, describe: 'Run every seed twice and name the first differing event on a mismatch' })
          .option('failures-max', { type: 'number', describe: 'Stop the campaign after this many failing seeds' })
          .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object on stdout instead of the text summary' })
          .option('out', { type: 'string', default: 'reports', describe: 'Folder for report folders (summary.json, failing traces)' })
          .option('shrink', { type: 'boolean', default: true, describe: 'Shrink every failure to a minimal trace (--no-shrink to skip)' })
          .option('shrink-time', { type: 'number', default: 30, describe: 'Wall-clock bound of each shrink, in seconds' })
          .option('bug', { type: 'string', array: true, nargs: 1, describe: 'Switch on a bug of the reference Raft (repeatable; see raftcheck bugs)' })
          .check((args) => {
            checkInteger('seeds', args.seeds, 1, 10_000_000);
            checkInteger('seed', args.seed, 0, Number.MAX_SAFE_INTEGER);
            checkInteger('first-seed', args['first-seed'], 0, Number.MAX_SAFE_INTEGER);
            checkInteger('nodes', args.nodes, 1, 15);
            checkInteger('failures-max', args['failures-max'], 1, 10_000_000);
            checkPositive('shrink-time', args['shrink-time']);
            return true;
          })
          .epilogue(exitCodeHelp),
      (args) =>
        guarded(() =>
          runCommand(
            {
              seeds: args.seeds,
              seed: args.seed,
              firstSeed: args['first-seed'],
              nodes: args.nodes,
              scenario: args.scenario,
              checkDeterminism: args['check-determinism'],
              json: args.json,
              out: args.out,
              failuresMax: args['failures-max'],
              bugs: args.bug,
              shrink: args.shrink,
              shrinkTimeSeconds: args['shrink-time'],
            },
            io,
          ),
        ),
    )
    .command(
      'scenarios',
      'List the shipped scenarios with a one-line description.',
      (command) => command.option('json', { type: 'boolean', default: false, describe: 'Print a JSON list of {name, description}' }),
      (args) => guarded(() => scenariosCommand({ json: args.json }, io)),
    )
    .command(
      'bugs',
      'List the switchable bugs of the reference Raft with the invariant expected to catch each.',
      (command) => command.option('json', { type: 'boolean', default: false, describe: 'Print a JSON list of {name, description, invariant}' }),
      (args) => guarded(() => bugsCommand({ json: args.json }, io)),
    )
    .command(
      'replay <trace>',
      'Re-execute a trace file bit for bit (checking its trace hash) and print its verdict; exit code as for run.',
      (command) =>
        command
          .positional('trace', { type: 'string', demandOption: true, describe: 'A trace file written by run, shrink or explore' })
          .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object shaped as run --json' })
          .epilogue(exitCodeHelp),
      (args) => guarded(() => replayTraceCommand({ trace: args.trace, json: args.json }, io)),
    )
    .command(
      'shrink <trace>',
      'Shrink a failing trace further, to a new trace file beside it (resumable: the best so far is kept on disk).',
      (command) =>
        command
          .positional('trace', { type: 'string', demandOption: true, describe: 'A failing trace file' })
          .option('shrink-time', { type: 'number', default: 30, describe: 'Wall-clock bound, in seconds' })
          .option('out', { type: 'string', describe: 'Where to write the shrunk trace (default: NAME.shrunk.trace.json beside it)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
          .check((args) => {
            checkPositive('shrink-time', args['shrink-time']);
            return true;
          })
          .epilogue(exitCodeHelp),
      (args) => guarded(() => shrinkTraceCommand({ trace: args.trace, shrinkTimeSeconds: args['shrink-time'], out: args.out, json: args.json }, io)),
    )
    .command(
      'show <trace>',
      'Print a trace as a timeline: one column per node, faults, role and term changes, commits, the violation marked.',
      (command) =>
        command
          .positional('trace', { type: 'string', demandOption: true, describe: 'A trace file' })
          .option('all', { type: 'boolean', default: false, describe: 'Print every row (default: at most 2,000)' })
          .option('ticks', { type: 'boolean', default: false, describe: 'Show ticks that changed nothing too' })
          .option('width', { type: 'number', describe: 'Table width in columns (default: the terminal width)' }),
      (args) => guarded(() => showTraceCommand({ trace: args.trace, all: args.all, ticks: args.ticks, width: args.width }, io)),
    )
    .demandCommand(1, 'Name a command: run, replay, shrink, show, scenarios or bugs (see --help).')
    .strict()
    .epilogue(exitCodeHelp)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    // yargs runs the command handler after a non-throwing fail handler: throw to stop it.
    .fail((message, error) => {
      if (error !== undefined && error !== null && !(error instanceof UsageError)) throw error;
      throw new UsageError(`${message ?? error?.message}\nRun "raftcheck --help" for usage.`);
    });

  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, exitCodes.usage);
    else fail(`harness error (a bug in raftcheck, please report it):\n${error instanceof Error ? error.stack : String(error)}`, exitCodes.harnessError);
  }
  return exitCode;
}

function checkInteger(name: string, value: unknown, minimum: number, maximum: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new UsageError(`--${name} must be an integer from ${minimum} to ${maximum}, got ${String(value)}`);
  }
}

function checkPositive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got ${String(value)}`);
}
