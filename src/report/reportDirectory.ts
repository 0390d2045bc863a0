// The report folder of one run: reports/<run id>/, named from the wall-clock date (reporting
// only) and the scenario, never reused.

import { existsSync, mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { wallClockDate } from '../core/wallClock.js';

export interface ReportDirectory {
  path: string;
  /** A path for display: relative to the working directory when inside it. */
  display(path: string): string;
}

export function createReportDirectory(outDirectory: string, scenarioName: string): ReportDirectory {
  const stamp = wallClockDate().toISOString().replace(/[:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const base = resolve(outDirectory, `${stamp}-${scenarioName}`);
  let path = base;
  for (let attempt = 2; existsSync(path); attempt += 1) path = `${base}-${attempt}`;
  mkdirSync(path, { recursive: true });
  return {
    path,
    display(target: string) {
      const relativePath = relative(process.cwd(), target);
      return relativePath.startsWith('..') ? target : relativePath;
    },
  };
}
