// The command line: parse argv with yargs and call the library. Every command returns its exit
// code; bad input becomes a message and exit code 2, a bug in raftcheck exit code 5.

import yargs from 'yargs';
import type { Argv } from 'yargs';
import { ScenarioError } from '../check/scenarios.js';
import { TraceFileError } from '../check/traces.js';
import { FileError } from '../core/files.js';
import { ImplementationSpecError } from '../check/implementations.js';
import { closeProcessHost } from '../adapters/process/host.js';
import { answerTimeoutMsDefault, outputBytesMaxDefault } from '../adapters/process/protocol.js';
import { exitCodeHelp, exitCodes } from '../report/exitCodes.js';
import { terminalText } from '../core/text.js';
import type { CommandIo } from './io.js';
import { endQuietlyWhenClosed, UsageError } from './io.js';
import { bugsCommand } from './bugsCommand.js';
import { defaultSeedCount, defaultSeedCountOverPipes, runCommand } from './runCommand.js';
import { scenariosCommand } from './scenariosCommand.js';
import { exportTraceCommand, replayTraceCommand, showTraceCommand, shrinkTraceCommand } from './traceCommands.js';
import { exploreCommand } from './exploreCommand.js';
import { mergeCommand } from './mergeCommand.js';
import type { ExploreStrategy } from '../explore/search.js';
import { defaultExploreBounds } from '../explore/search.js';
import { liveInstancesMaxDefault } from '../world/instancePool.js';

/** What each command's definition needs: the streams, the arguments as typed, the option checks. */
interface CommandContext {
  io: CommandIo;
  argv: readonly string[];
  checks: OptionChecks;
  /** Runs a command's action, the exit code set from its result or from what it threw. */
  guarded: (action: () => number | Promise<number>) => Promise<void>;
}

export async function main(argv: readonly string[], streams: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // Every command gets the --color / --no-color flag with its streams (set once parsed, below).
  const io: CommandIo = { ...streams };
  for (const stream of [io.stdout, io.stderr]) endQuietlyWhenClosed(stream);
  let exitCode: number = exitCodes.ok;
  const fail = (message: string, code: number) => {
    // Messages quote what the user or a program gave (a file's keys, a program's stderr): neutralised.
    io.stderr.write(`raftcheck: ${terminalText(message)}\n`);
    exitCode = code;
  };
  const guarded = async (action: () => number | Promise<number>) => {
    try {
      exitCode = await action();
    } catch (error) {
      if (isBadInput(error)) fail(error.message, exitCodes.usage);
      else fail(harnessErrorMessage(error), exitCodes.harnessError);
    }
  };
  const context: CommandContext = { io, argv, checks: optionChecks(argv), guarded };
  let parser = yargs([...argv]).scriptName('raftcheck').usage('$0 <command> [options]\n\nA deterministic fault-injection test harness for Raft.');
  for (const addCommands of [addRunCommand, addMergeCommand, addListCommands, addTraceCommands, addExploreCommand]) parser = addCommands(parser, context);
  try {
    await withGlobalOptions(parser, io).parseAsync();
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, exitCodes.usage);
    else fail(harnessErrorMessage(error), exitCodes.harnessError);
  } finally {
    // No program of a process implementation outlives the command.
    closeProcessHost();
  }
  return exitCode;
}

/** Errors that are the user's input, not raftcheck's bug: exit code 2 with their message. */
function isBadInput(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof ScenarioError || error instanceof TraceFileError || error instanceof ImplementationSpecError || error instanceof FileError;
}

function harnessErrorMessage(error: unknown): string {
  return `harness error (a bug in raftcheck, please report it):\n${error instanceof Error ? error.stack : String(error)}`;
}

function addRunCommand(parser: Argv, context: CommandContext): Argv {
  const { io, guarded } = context;
  return parser.command(
    'run',
    'Run seeded simulations of a Raft cluster under faults: safety invariants after every event, liveness once the faults stop; failures are shrunk.',
    (command) => runOptions(command, context.checks),
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
            clients: args.clients,
            reads: args.reads,
            routing: args.routing,
            jobs: args.jobs,
            strategy: args.strategy,
            impl: args.impl,
            implTimeoutMs: args['impl-timeout-ms'],
            implOutputBytesMax: args['impl-output-bytes-max'],
            shard: args.shard,
            junit: args.junit,
            html: args.html,
            probes: args.probes,
          },
          io,
        ),
      )
  );
}

/** `merge`: a sharded campaign's reports as one. */
function addMergeCommand(parser: Argv, context: CommandContext): Argv {
  const { io, guarded } = context;
  return parser.command(
    'merge <folders..>',
    'Merge the report folders of the shards of one campaign (run --shard I/N) into one report, as the unsharded run writes it.',
    (command) =>
      valuesRequired(
        command
          .positional('folders', { type: 'string', array: true, describe: 'The report folders of every shard' })
          .option('out', { type: 'string', default: 'reports', describe: 'Folder for the merged report folder' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the merged summary as one JSON object' })
          .option('junit', { type: 'string', describe: 'Also write the merged campaign as JUnit XML to this file' })
          .check((args) => {
            context.checks.checkNotEmpty('out', args.out);
            context.checks.checkNotEmpty('junit', args.junit);
            return true;
          })
          .epilogue(exitCodeHelp),
      ),
    (args) => guarded(() => mergeCommand({ folders: (args.folders ?? []).map(String), out: args.out, json: args.json, junit: args.junit }, io)),
  );
}

/** The options of `run`. */
function runOptions(command: Argv, checks: OptionChecks) {
  const { checkInteger, checkPositive, checkNotEmpty } = checks;
  return (
    valuesRequired(command
      .option('seeds', { type: 'number', describe: `Number of seeds to run (default ${defaultSeedCount}; ${defaultSeedCountOverPipes} for process:, wasm: and etcd)` })
      .option('seed', { type: 'number', describe: 'Run exactly this one seed' })
      .option('first-seed', { type: 'number', default: 1, describe: 'First seed of the range given by --seeds' })
      .option('nodes', { type: 'number', describe: "Cluster size (default: the scenario's, 5 for default; swarm draws each seed's size from 3 up to it)" })
      .option('scenario', { type: 'string', default: 'swarm', describe: 'Shipped scenario name, or a path to a scenario .json file (default swarm: each seed draws its fault mix)' })
      .option('strategy', {
        choices: ['portfolio', 'random', 'pct', 'coverage', 'bfs', 'dfs'] as const,
        describe:
          "Message scheduling: random delays, PCT priorities, or portfolio (each seed draws one; the default unless the scenario names one). coverage: coverage-guided search (runs that reached new abstract states are kept, and half the runs mutate kept ones; each run schedules as portfolio). bfs and dfs: see raftcheck explore",
      })
      .option('check-determinism', { type: 'boolean', default: false, describe: 'Run every seed twice and name the first differing event on a mismatch' })
      .option('probes', {
        type: 'boolean',
        describe: 'Durability probes: check each vote granted and entry acknowledged against a shadow restarted from the durable records (default: on for in-process implementations and wasm guests, off for programs; --no-probes turns them off)',
      })
      .option('failures-max', { type: 'number', describe: 'Stop the campaign after this many failing seeds' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object on stdout instead of the text summary' })
      .option('out', { type: 'string', default: 'reports', describe: 'Folder for report folders (summary.json, failing traces)' })
      .option('shrink', { type: 'boolean', default: true, describe: 'Shrink every failure to a minimal trace (--no-shrink to skip)' })
      .option('shrink-time', { type: 'number', default: 30, describe: 'Wall-clock bound of each shrink, in seconds' })
      .option('bug', { type: 'string', array: true, nargs: 1, describe: 'Switch on a bug of the reference Raft (repeatable; see raftcheck bugs)' })
      .option('impl', { type: 'string', describe: implDescription })
      .option('impl-timeout-ms', { type: 'number', describe: `Process implementations: longest wait for one answer, in ms (default ${answerTimeoutMsDefault})` })
      .option('impl-output-bytes-max', { type: 'number', describe: `Process implementations: longest line a program may write, in bytes (default ${outputBytesMaxDefault})` })
      .option('clients', { type: 'number', describe: 'Turn on this many clients whose history is checked for linearizability' })
      .option('reads', { choices: ['log', 'readIndex', 'lease'] as const, describe: "How the clients' gets read: through the log, ReadIndex, or the leader's lease (needs implementation.leaseReads; turns clients on)" })
      .option('jobs', { type: 'number', describe: 'Threads that run seeds; results do not depend on it (default: one per core; 1 for process:...)' })
      .option('routing', { choices: ['leader', 'any'] as const, describe: 'Where clients send an operation first: the node they believe leads, or any node (turns clients on)' })
      .option('html', { type: 'boolean', default: true, describe: 'Write HTML pages into the report folder: index.html for the campaign, seed-N.html per failure with its space-time diagram (--no-html to skip)' })
      .option('junit', { type: 'string', describe: 'Also write the campaign as JUnit XML to this file (a test case per failing seed, the replay command in its text)' })
      .option('shard', { type: 'string', describe: 'Run shard I of N of the seed range (I/N: every Nth seed from the Ith); raftcheck merge joins the shards\' reports' })
      .check((args) => {
        checkInteger('seeds', args.seeds, 1, 10_000_000);
        checkInteger('seed', args.seed, 0, Number.MAX_SAFE_INTEGER);
        checkInteger('first-seed', args['first-seed'], 0, Number.MAX_SAFE_INTEGER);
        checkInteger('nodes', args.nodes, 1, 15);
        checkInteger('failures-max', args['failures-max'], 1, 10_000_000);
        checkInteger('clients', args.clients, 1, 100);
        checkInteger('jobs', args.jobs, 1, 64);
        checkInteger('impl-timeout-ms', args['impl-timeout-ms'], 1, 2_000_000_000);
        checkInteger('impl-output-bytes-max', args['impl-output-bytes-max'], 1, 1024 * 1024 * 1024);
        checkPositive('shrink-time', args['shrink-time']);
        checkNotEmpty('out', args.out);
        checkNotEmpty('junit', args.junit);
        return true;
      })
      .epilogue(exitCodeHelp))
  );
}

/** `scenarios` and `bugs`: the lists. */
function addListCommands(parser: Argv, context: CommandContext): Argv {
  const { io, guarded } = context;
  return parser
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
  );
}

/** `replay`, `shrink` and `show`: the commands that take a trace file. */
function addTraceCommands(parser: Argv, context: CommandContext): Argv {
  const { io, guarded } = context;
  const { checkInteger, checkPositive, checkNotEmpty } = context.checks;
  return parser
  .command(
    'replay <trace>',
    'Re-execute a trace file bit for bit (checking its trace hash) and print its verdict; exit code as for run.',
    (command) =>
      valuesRequired(command
        .positional('trace', { type: 'string', demandOption: true, describe: 'A trace file written by run, shrink or explore' })
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object shaped as run --json' })
        .option('impl', { type: 'string', describe: "Replay on this implementation instead of the trace's own (as run --impl), a fixed build say: exit by its verdict" })
        .option('impl-timeout-ms', { type: 'number', describe: 'Process implementations: longest wait for one answer, in ms' })
        .option('html', { type: 'boolean', default: false, describe: 'Also write the replay as an HTML page (space-time diagram) beside the trace, NAME.html' })
        .epilogue(exitCodeHelp)),
    (args) => guarded(() => replayTraceCommand({ trace: args.trace, json: args.json, impl: args.impl, implTimeoutMs: args['impl-timeout-ms'], html: args.html }, io)),
  )
  .command(
    'shrink <trace>',
    'Shrink a failing trace further, to a new trace file beside it (resumable: the best so far is kept on disk).',
    (command) =>
      valuesRequired(command
        .positional('trace', { type: 'string', demandOption: true, describe: 'A failing trace file' })
        .option('shrink-time', { type: 'number', default: 30, describe: 'Wall-clock bound, in seconds' })
        .option('out', { type: 'string', describe: 'Where to write the shrunk trace (default: NAME.shrunk.trace.json beside it)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
        .option('impl-timeout-ms', { type: 'number', describe: 'Process implementations: longest wait for one answer, in ms' })
        .check((args) => {
          checkPositive('shrink-time', args['shrink-time']);
          checkNotEmpty('out', args.out);
          return true;
        })
        .epilogue(exitCodeHelp)),
    (args) =>
      guarded(() =>
        shrinkTraceCommand({ trace: args.trace, shrinkTimeSeconds: args['shrink-time'], out: args.out, json: args.json, implTimeoutMs: args['impl-timeout-ms'] }, io),
      ),
  )
  .command(
    'show <trace>',
    'Print a trace as a timeline: one column per node, faults, role and term changes, commits, the violation marked.',
    (command) =>
      valuesRequired(command
        .positional('trace', { type: 'string', demandOption: true, describe: 'A trace file' })
        .option('all', { type: 'boolean', default: false, describe: 'Print every row (default: at most 2,000)' })
        .option('ticks', { type: 'boolean', default: false, describe: 'Show ticks that changed nothing too' })
        .option('width', { type: 'number', describe: 'Width of every line printed, in columns, 40 to 1000 (default: the terminal width, 80 to 200)' })
        .option('replay', { type: 'boolean', describe: 'Replay the trace and show the replay (default: for the reference only; --replay runs the program or module a trace names)' })
        .check((args) => {
          checkInteger('width', args.width, showWidthMin, showWidthMax);
          return true;
        })),
    (args) => guarded(() => showTraceCommand({ trace: args.trace, all: args.all, ticks: args.ticks, width: args.width, replay: args.replay }, io)),
  )
  .command(
    'export <trace>',
    'Write a trace for a trace viewer: --format perfetto is Chrome trace-event JSON (a track per node, messages as arrows) for ui.perfetto.dev.',
    (command) =>
      valuesRequired(command
        .positional('trace', { type: 'string', demandOption: true, describe: 'A trace file' })
        .option('format', { choices: ['perfetto'] as const, default: 'perfetto' as const, describe: 'The output format' })
        .option('out', { type: 'string', describe: 'Where to write it ("-": stdout; default NAME.perfetto.json beside the trace)' })
        .option('replay', { type: 'boolean', describe: 'Replay the trace and export the replay (default: for the reference only, as show)' })
        .check((args) => {
          checkNotEmpty('out', args.out);
          return true;
        })),
    (args) => guarded(() => exportTraceCommand({ trace: args.trace, format: args.format, out: args.out, replay: args.replay }, io)),
  );
}

function addExploreCommand(parser: Argv, context: CommandContext): Argv {
  const { io, guarded, argv } = context;
  return parser.command(
    'explore',
    'Search every interleaving of deliveries, timer firings, crashes, restarts and proposals, breadth-first (the shortest counterexample) within bounds.',
    (command) => exploreOptions(command, context.checks),
    (args) =>
      guarded(() =>
        exploreCommand(
          {
            nodes: args.nodes,
            strategy: args.strategy as ExploreStrategy,
            depth: args.depth,
            maxTerm: args['max-term'],
            maxCrashes: args['max-crashes'],
            maxRequests: args['max-requests'],
            maxDrops: args['max-drops'],
            maxReorders: args['max-reorders'],
            maxInFlight: args['max-in-flight'],
            maxStates: args['max-states'],
            maxMemoryMb: args['max-memory'],
            timeSeconds: args.time,
            symmetry: args.symmetry,
            clone: args.clone,
            reduction: args.reduction,
            seed: args.seed,
            walks: args.walks,
            pctDepth: args['pct-depth'],
            snapshotThreshold: args['snapshot-threshold'],
            spares: args.spares,
            membershipChanges: args['membership-changes'],
            transfers: args.transfers,
            bugs: args.bug,
            impl: args.impl,
            implTimeoutMs: args['impl-timeout-ms'],
            implOutputBytesMax: args['impl-output-bytes-max'],
            maxInstances: args['max-instances'],
            probes: args.probes,
            json: args.json,
            out: args.out,
            typedValue: (flag) => typedValue(argv, flag),
          },
          io,
        ),
      )
  );
}

/** The options of `explore`. */
function exploreOptions(command: Argv, checks: OptionChecks) {
  const { checkInteger, checkPositive, checkNotEmpty } = checks;
  return (
    valuesRequired(command
      .option('nodes', { type: 'number', default: 3, describe: 'Cluster size' })
      .option('strategy', { type: 'string', choices: ['bfs', 'dfs', 'random', 'pct'], default: 'bfs', describe: 'bfs (shortest path), dfs, random walks, pct walks' })
      .option('depth', { type: 'number', default: defaultExploreBounds.depthMax, describe: 'Most steps from the initial state' })
      .option('max-term', { type: 'number', default: defaultExploreBounds.termMax, describe: 'Highest term a node may reach' })
      .option('max-crashes', { type: 'number', default: defaultExploreBounds.crashesMax, describe: 'Crashes over a path' })
      .option('max-requests', { type: 'number', default: defaultExploreBounds.requestsMax, describe: 'Client proposals over a path' })
      .option('max-drops', { type: 'number', default: defaultExploreBounds.dropsMax, describe: 'Dropped messages over a path (a drop adds nothing to safety but room in flight)' })
      .option('max-reorders', { type: 'number', default: defaultExploreBounds.reordersMax, describe: 'Messages overtaking an earlier one on their link, over a path (links are FIFO otherwise)' })
      .option('max-in-flight', { type: 'number', default: defaultExploreBounds.messagesInFlightMax, describe: 'Messages in flight at once' })
      .option('max-states', { type: 'number', default: defaultExploreBounds.statesMax, describe: 'Distinct states before the search stops' })
      .option('max-memory', { type: 'number', default: defaultExploreBounds.memoryBytesMax / (1024 * 1024), describe: 'Memory in use (heap and array buffers: the frontier and visited set) before the search stops, in MB' })
      .option('time', { type: 'number', default: defaultExploreBounds.timeMs / 1000, describe: 'Wall-clock bound, in seconds' })
      .option('symmetry', { type: 'boolean', default: true, describe: 'Symmetry reduction over node ids (--no-symmetry to count every permutation)' })
      .option('clone', { type: 'boolean', default: true, describe: 'Copy nodes by clone() (--no-clone: by replaying their inputs)' })
      .option('reduction', { type: 'boolean', default: true, describe: 'Partial-order reduction by sleep sets in bfs: the same states, fewer transitions (--no-reduction: take every transition)' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the random and pct strategies' })
      .option('walks', { type: 'number', default: 100_000, describe: 'Walks of the random and pct strategies' })
      .option('pct-depth', { type: 'number', default: 3, describe: "PCT's d: d - 1 priority change points per walk" })
      .option('snapshot-threshold', {
        type: 'number',
        describe: 'Implementations that list snapshots: compact every N applied entries (default: never; 1 reaches InstallSnapshot within a few steps)',
      })
      .option('spares', { type: 'number', default: 0, describe: 'Implementations that list membership: spare nodes a membership change may add (they start empty and join)' })
      .option('membership-changes', {
        type: 'number',
        default: 0,
        describe: 'Implementations that list membership: changes handed to a leader over a path (add a spare as learner or voter, promote, remove, replace jointly), and removed nodes wiped',
      })
      .option('transfers', {
        type: 'number',
        default: 0,
        describe: 'Implementations that list leadershipTransfer: transfers handed to a leader over a path, to each other voter (0: none, so the state counts stay as without them)',
      })
      .option('bug', { type: 'string', array: true, nargs: 1, describe: 'Switch on a bug of the reference Raft (repeatable; see raftcheck bugs)' })
      .option('probes', {
        type: 'boolean',
        describe: 'Durability probes: check each vote granted and entry acknowledged against a shadow restarted from the synced records (default: on for in-process implementations and wasm guests, off for programs; --no-probes turns them off)',
      })
      .option('impl', { type: 'string', describe: `${implDescription}; without clone(), node states are re-created by replaying their inputs` })
      .option('impl-timeout-ms', { type: 'number', describe: `Process implementations: longest wait for one answer, in ms (default ${answerTimeoutMsDefault})` })
      .option('impl-output-bytes-max', { type: 'number', describe: `Process implementations: longest line a program may write, in bytes (default ${outputBytesMaxDefault})` })
      .option('max-instances', {
        type: 'number',
        default: liveInstancesMaxDefault,
        describe: 'Implementations without clone(): live node instances at once (processes or wasm instances, for process:, wasm: and etcd); others are re-created by replay',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object: result, distinctStates, transitions, depth, statesPerSecond, failures' })
      .option('out', { type: 'string', default: 'reports', describe: 'Folder for the report folder holding the trace of a failure' })
      .check((args) => {
        // The search's own options are checked by the library, all at once (src/explore/options.ts);
        // here only what the command adds: its cap on live processes, the process settings, units.
        checkInteger('max-instances', args['max-instances'], 1, 4096);
        checkInteger('impl-timeout-ms', args['impl-timeout-ms'], 1, 2_000_000_000);
        checkInteger('impl-output-bytes-max', args['impl-output-bytes-max'], 1, 1024 * 1024 * 1024);
        checkPositive('time', args.time);
        checkPositive('max-memory', args['max-memory']);
        checkNotEmpty('out', args.out);
        return true;
      })
      .epilogue(exitCodeHelp))
  );
}

/** The options every command takes, and how yargs itself behaves. */
function withGlobalOptions(parser: Argv, io: CommandIo) {
  return parser
  .option('color', { type: 'boolean', describe: 'Colour the output (--no-color: never); default: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it)' })
  .middleware((args) => {
    io.color = args.color;
  })
  .demandCommand(1, 'Name a command: run, merge, replay, shrink, show, export, explore, scenarios or bugs (see --help).')
  .strict()
  .epilogue(exitCodeHelp)
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .exitProcess(false)
  // yargs runs the command handler after a non-throwing fail handler: throw to stop it.
  .fail((message, error) => {
    // A YError is yargs' own verdict on the arguments ("Not enough arguments following: seeds").
    if (error !== undefined && error !== null && !(error instanceof UsageError) && error.name !== 'YError') throw error;
    throw new UsageError(`${message ?? error?.message}\nRun "raftcheck --help" for usage.`);
  });
}

/** show --width: narrower than this, no table says anything; wider, no terminal shows it. */
const showWidthMin = 40;
const showWidthMax = 1000;

const implDescription =
  'The implementation under test: reference (default), etcd (the etcd raft adapter built for wasm, in-process; needs Go), ' +
  'etcd-process (the same adapter as a program over pipes), hashicorp (hashicorp/raft v1.7.2 built for wasm, time-driven; needs Go), ' +
  'raft-rs (TiKV\'s raft-rs 0.7.0 as a program over pipes; needs cargo), ' +
  'openraft (Databend\'s openraft 0.9.25 as a program over pipes, time-driven; needs cargo), ' +
  '"process:COMMAND ARGS..." (a program speaking docs/PROTOCOL.md, one process per node), ' +
  'wasm:PATH (a WASI module speaking the same protocol in-process, docs/PROTOCOL.md), ' +
  'or a path to a .js, .mjs or .ts module exporting an Implementation (docs/CONTRACT.md)';

/**
 * yargs takes "--seeds" with nothing after it for no option at all (and runs the default 2,000
 * seeds): every option of a command that takes a value must be given one.
 */
function valuesRequired<T>(command: Argv<T>): Argv<T> {
  // getOptions() is public on a yargs instance; @types/yargs leaves it out.
  const options = (command as unknown as { getOptions(): { key: Record<string, unknown>; boolean: string[]; count: string[]; array: string[] } }).getOptions();
  const flags = new Set([...options.boolean, ...options.count]);
  const arrays = new Set(options.array);
  // Before the checks of values, which would otherwise judge one of the values given twice.
  return command.requiresArg(Object.keys(options.key).filter((key) => !flags.has(key))).middleware((args) => void onceEach(args, arrays), true);
}

/**
 * Refuses what yargs would take silently: an option given twice (an array where one value is
 * meant, which no check expects), and words beyond the command's positionals (a stray word, or
 * options written after "--", which are then not options at all).
 */
function onceEach(args: Record<string, unknown>, arrays: ReadonlySet<string>): true {
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === '--' || key === '$0' || arrays.has(key) || !Array.isArray(value)) continue;
    throw new UsageError(`--${key} was given ${value.length} times (${value.map((item) => JSON.stringify(item)).join(', ')}): give it once`);
  }
  const extra = [...(args._ as unknown[]).slice(1), ...((args['--'] as unknown[] | undefined) ?? [])];
  if (extra.length > 0) throw new UsageError(`unexpected argument${extra.length === 1 ? '' : 's'} ${extra.map((item) => JSON.stringify(String(item))).join(', ')}: options go before any "--", and only a trace file may follow the command`);
  return true;
}

type OptionChecks = ReturnType<typeof optionChecks>;

/** The checks of option values; a bad value is quoted as the user typed it. */
function optionChecks(argv: readonly string[]) {
  const given = (name: string, value: unknown) => {
    const typed = typedValue(argv, name);
    return typed === undefined ? String(value) : JSON.stringify(typed);
  };
  return {
    checkInteger(name: string, value: unknown, minimum: number, maximum: number): void {
      if (value === undefined) return;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
        throw new UsageError(`--${name} must be an integer from ${minimum} to ${maximum}, got ${given(name, value)}`);
      }
    },
    checkPositive(name: string, value: unknown): void {
      if (value === undefined) return;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got ${given(name, value)}`);
    },
    checkNotEmpty(name: string, value: unknown): void {
      if (value === '') throw new UsageError(`--${name} must not be empty (give a path, or leave the option out for its default)`);
    },
  };
}

/** The text given for an option, the last time it was given: yargs has made "abc" NaN by now. */
function typedValue(argv: readonly string[], name: string): string | undefined {
  const spellings = new Set([name, name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())]);
  for (let index = argv.length - 1; index >= 0; index -= 1) {
    for (const spelling of spellings) {
      if (argv[index] === `--${spelling}`) return argv[index + 1];
      if (argv[index].startsWith(`--${spelling}=`)) return argv[index].slice(spelling.length + 3);
    }
  }
  return undefined;
}
