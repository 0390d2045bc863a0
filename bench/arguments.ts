// Command-line arguments of the bench scripts: `--name value` options, repeatable options and
// flags. The benches are scripts for people, so a plain reader serves; the CLI uses yargs.

const argv = process.argv.slice(2);

/** The value after `--name`, or the fallback. */
export function option(name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? fallback : argv[index + 1];
}

/** Every value given after `--name`, in order (a repeatable option). */
export function repeated(name: string): string[] {
  return argv.flatMap((argument, index) => (argument === `--${name}` ? [argv[index + 1]] : []));
}

/** True when `--name` is present. */
export function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
