// `raftcheck merge DIR...`: the report folders of a sharded campaign's shards (run --shard I/N)
// joined into one report folder whose summary.json is the unsharded campaign's (wall times
// aside), with every shard's failure traces beside it.

import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkFileWritable, fileProblem, FileError, readTextFile, writeFileAtomic, writeJsonAtomic } from '../core/files.js';
import { junitXml } from '../report/junit.js';
import { validate } from '../core/schema.js';
import type { Schema } from '../core/schema.js';
import type { CampaignSummary } from '../report/campaignSummary.js';
import { coverageFileName, mergeProblem, mergeSummaries } from '../report/campaignSummary.js';
import type { CoverageUnionData } from '../world/abstractState.js';
import { CoverageUnion } from '../world/abstractState.js';
import { formatSummary } from '../report/console.js';
import { campaignPage } from '../report/html.js';
import { createReportDirectory } from '../report/reportDirectory.js';
import type { CommandIo } from './io.js';
import { stdoutColor, UsageError } from './io.js';

export interface MergeArguments {
  folders: readonly string[];
  out: string;
  json: boolean;
  /** Also write the merged campaign as JUnit XML to this file. */
  junit?: string;
}

/** The fields merge reads: enough to refuse a file that is not a campaign's summary.json, naming the field. */
const summarySchema: Schema = {
  type: 'object',
  allowUnknown: true,
  fields: {
    result: { type: 'string' },
    implementation: { type: 'string' },
    scenario: { type: 'string' },
    options: { type: 'object', fields: {}, allowUnknown: true },
    seeds: { type: 'number', integer: true, minimum: 0 },
    seedRange: { type: 'object', fields: { first: { type: 'number' }, count: { type: 'number' } } },
    shard: { type: 'object', nullable: true, fields: { index: { type: 'number', integer: true }, count: { type: 'number', integer: true } } },
    events: { type: 'number', minimum: 0 },
    simulatedMs: { type: 'number', minimum: 0 },
    wallMs: { type: 'number', minimum: 0 },
    failuresWallMs: { type: 'number', minimum: 0 },
    violationsByInvariant: { type: 'object', fields: {}, allowUnknown: true },
    inconclusiveSeeds: { type: 'array', items: { type: 'number' } },
    inconclusive: { type: 'array', items: { type: 'object', fields: { seed: { type: 'number' } }, allowUnknown: true } },
    inconclusiveByBound: { type: 'object', fields: {}, allowUnknown: true },
    failures: { type: 'array', items: { type: 'object', fields: { seed: { type: 'number' }, invariant: { type: 'string' } }, allowUnknown: true } },
  },
};

export function mergeCommand(args: MergeArguments, io: CommandIo): number {
  const parts = args.folders.map((folder) => ({ name: folder, summary: readSummary(folder) }));
  if (args.junit !== undefined) checkFileWritable(args.junit, `--junit file ${args.junit}`);
  const problem = mergeProblem(parts);
  if (problem !== null) throw new UsageError(`merge: ${problem}`);
  const report = createReportDirectory(args.out, `${parts[0].summary.scenario}-merged`);
  const coverage = new CoverageUnion();
  for (const folder of args.folders) mergeCoverage(coverage, folder);
  const merged = mergeSummaries(
    parts.map((part) => part.summary),
    report.display(report.path),
    coverage.counts(),
  );
  copyShardFiles(args.folders, report.path);
  writeJsonAtomic(join(report.path, coverageFileName), coverage.toData());
  for (const failure of merged.failures) {
    if (failure.trace !== null) failure.trace = report.display(join(report.path, basename(failure.trace)));
  }
  writeJsonAtomic(join(report.path, 'summary.json'), merged);
  if (args.junit !== undefined) writeFileAtomic(args.junit, junitXml(merged));
  const pages = new Map(merged.failures.map((failure) => [failure.seed, `seed-${failure.seed}.html`] as const).filter(([, page]) => existsSync(join(report.path, page))));
  writeFileAtomic(join(report.path, 'index.html'), campaignPage(merged, pages));
  if (args.json) io.stdout.write(`${JSON.stringify(merged)}\n`);
  else {
    const options = `merged from ${parts.length} shard${parts.length === 1 ? '' : 's'}; seeds ${String(merged.options.seeds ?? '')}`;
    io.stdout.write(`${formatSummary(merged, { implementation: merged.implementation, scenario: merged.scenario, reportDirectory: merged.reportDirectory, options, neverHit: merged.marksNeverHit }, { color: stdoutColor(io) && !args.json })}\n`);
  }
  return merged.exitCode;
}

function readSummary(folder: string): CampaignSummary {
  return readValidJson(join(folder, 'summary.json'), { what: 'summary', kind: 'a campaign summary', schema: summarySchema, hint: ' (name the report folder a run --shard I/N wrote)' }) as CampaignSummary;
}

/** A JSON file that must match `schema`; a clear usage error naming the file and field otherwise. */
function readValidJson(path: string, expected: { what: string; kind: string; schema: Schema; hint: string }): unknown {
  const read = readTextFile(path, expected.what);
  if (!read.ok) throw new UsageError(`merge: ${read.message}${expected.hint}`);
  let data: unknown;
  try {
    data = JSON.parse(read.text);
  } catch (error) {
    throw new UsageError(`merge: ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const errors = validate(data, expected.schema);
  if (errors.length > 0) throw new UsageError(`merge: ${path} is not ${expected.kind}: ${errors[0].path}: ${errors[0].message}`);
  return data;
}

const distinctCountSchema: Schema = {
  type: 'object',
  fields: {
    fingerprints: { type: 'array', items: { type: 'number', integer: true, minimum: 0 }, nullable: true },
    registers: { type: 'string' },
  },
};

const coverageSchema: Schema = {
  type: 'object',
  fields: {
    states: distinctCountSchema,
    transitions: distinctCountSchema,
    nodeTransitions: { type: 'array', items: { type: 'number', integer: true, minimum: 0 } },
  },
};

/** Adds a shard's abstract coverage (its coverage.json) to the union; a folder written before they existed has none to add. */
function mergeCoverage(coverage: CoverageUnion, folder: string): void {
  const path = join(folder, coverageFileName);
  if (!existsSync(path)) return;
  const hint = ' (written by another version of raftcheck? run the shard again)';
  const data = readValidJson(path, { what: 'abstract states', kind: 'a count of abstract states', schema: coverageSchema, hint }) as CoverageUnionData;
  if (!coverage.merge(data)) throw new UsageError(`merge: ${path} is not a count of abstract states: registers: not a sketch of 16384 registers${hint}`);
}

/** Every shard's files but its summary and page (failure traces and pages, seed-named: no two shards run a seed). */
function copyShardFiles(folders: readonly string[], target: string): void {
  for (const folder of folders) {
    for (const name of readdirSync(folder)) {
      // Each shard's own summary and campaign page: the merged ones are written afresh.
      if (name === 'summary.json' || name === 'index.html' || name === coverageFileName) continue;
      const destination = join(target, name);
      if (existsSync(destination)) throw new UsageError(`merge: two shards hold ${name} (${folder} is one): were they run over overlapping seeds?`);
      try {
        copyFileSync(join(folder, name), destination);
      } catch (error) {
        throw new FileError(`merge: copying ${join(folder, name)}: ${fileProblem(error)}`);
      }
    }
  }
}
