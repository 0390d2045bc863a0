// `go build` for the Go programs raftcheck builds itself (the etcd adapter as a process and as
// wasm, the hashicorp adapter, test guests), with one clear error when Go is missing or fails.
// A wasm build is a WASI preview-1 reactor (GOOS=wasip1, -buildmode=c-shared), the shape the
// wasm host runs (src/adapters/wasm/host.ts).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const goMissingMessage =
  'building it needs Go 1.26 or later on PATH (Go 1.21 or later fetches 1.26 by itself): install Go from https://go.dev/dl or your package manager, then rerun';

export interface GoBuildOptions {
  /** The module's folder (where go.mod is). */
  folder: string;
  /** Where the binary or module goes. */
  output: string;
  /** Build a WASI reactor module instead of a native program. */
  wasm: boolean;
  /** What is built, for messages ("the etcd adapter"). */
  what: string;
}

export function goBuild(options: GoBuildOptions): void {
  // -buildvcs=false: the folder sits in raftcheck's git checkout, whose state is no business of
  // the binary's (and stamping it fails where git is missing or the checkout is not ours).
  const args = ['build', '-trimpath', '-buildvcs=false', ...(options.wasm ? ['-buildmode=c-shared'] : []), '-o', options.output, '.'];
  const env = options.wasm ? { ...process.env, GOOS: 'wasip1', GOARCH: 'wasm' } : process.env;
  try {
    execFileSync('go', args, { cwd: options.folder, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(`${options.what}: ${goMissingMessage}`);
    const stderr = (failure.stderr ?? '').trim().split('\n').slice(-20).join('\n    ');
    throw new Error(`building ${options.what} failed (go ${args.join(' ')} in ${options.folder}):\n    ${stderr || failure.message}\n${goMissingMessage}`);
  }
}

export interface FreshBuildOptions extends GoBuildOptions {
  /** Build when the output is missing or older than the sources (needs Go on PATH). */
  build: boolean;
  /** Progress lines (a first build takes a while). */
  log: (line: string) => void;
  /** The npm script that builds it, for messages. */
  script: string;
}

/** The build at `output`, made again first when it is missing or older than the module's sources. */
export function freshGoBuild(options: FreshBuildOptions): string {
  const missing = !existsSync(options.output);
  const stale = !missing && newestSourceMs(options.folder) > statSync(options.output).mtimeMs;
  if (!missing && !stale) return options.output;
  if (options.build) {
    options.log(`building ${options.what}${options.wasm ? ' for wasm' : ''}: go build in ${options.folder}`);
    goBuild(options);
  } else if (missing) {
    throw new Error(`${options.what} is not built (${options.output} is missing); ${goMissingMessage}; or build it once with npm run ${options.script}`);
  } else {
    options.log(`warning: ${options.output} is older than the sources in ${options.folder}; run npm run ${options.script} to rebuild it`);
  }
  return options.output;
}

/** The newest modification time of the files a Go module's build is made from. */
function newestSourceMs(folder: string): number {
  let newest = 0;
  for (const name of readdirSync(folder)) {
    if ((name.endsWith('.go') && !name.endsWith('_test.go')) || name === 'go.mod' || name === 'go.sum') newest = Math.max(newest, statSync(join(folder, name)).mtimeMs);
  }
  return newest;
}
