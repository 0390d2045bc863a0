// The report folder of one run: reports/<run id>/, named from the wall-clock date (reporting
// only) and the scenario, never reused. A folder that cannot be made is a FileError naming it
// and why; a command that ends before writing into it removes it (no empty report folders).

import { existsSync, rmdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { makeFolder } from '../core/files.js';
import { wallClockDate } from '../core/wallClock.js';

export interface ReportDirectory {
  path: string;
  /** A path for display: relative to the working directory when inside it. */
  display(path: string): string;
  /** Removes the folder if nothing was written into it. */
  removeIfEmpty(): void;
}

export function createReportDirectory(outDirectory: string, scenarioName: string): ReportDirectory {
  const stamp = wallClockDate().toISOString().replace(/[:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const base = resolve(outDirectory, `${stamp}-${scenarioName}`);
  let path = base;
  for (let attempt = 2; existsSync(path); attempt += 1) path = `${base}-${attempt}`;
  makeFolder(path, `report folder ${path}`);
  return {
    path,
    display(target: string) {
      const relativePath = relative(process.cwd(), target);
      return relativePath.startsWith('..') ? target : relativePath;
    },
    removeIfEmpty() {
      try {
        rmdirSync(path);
      } catch {
        // Not empty (or gone): what is in it stays.
      }
    },
  };
}
