// Whether what raftcheck prints is coloured: the one place that decides, by the rules users know
// from chalk and most command-line tools. The command line's --color / --no-color wins; then
// FORCE_COLOR (0 or false: off, anything else: on), then NO_COLOR (no-color.org: present and not
// empty means no colour, terminal or not), then a dumb terminal; otherwise colour on a terminal only.

export type Environment = Readonly<Record<string, string | undefined>>;

export function colorEnabled(stream: { isTTY?: boolean }, flag: boolean | undefined, environment: Environment = process.env): boolean {
  if (flag !== undefined) return flag;
  const force = environment.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (environment.NO_COLOR !== undefined && environment.NO_COLOR !== '') return false;
  if (environment.TERM === 'dumb') return false;
  return stream.isTTY === true;
}
