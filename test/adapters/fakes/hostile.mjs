// Terminal escapes on every channel a program has: its hello name and version, then on its first
// tick a line that is not JSON ("line") or a stderr line and an exit ("exit").
import { emptyOutput, serve } from './serve.mjs';

const hostile = '\x1b]0;pwned\x07\x1b[2J';
const mode = process.argv[2];
serve(
  (input) => {
    if (input.kind !== 'tick') return JSON.stringify(emptyOutput);
    if (mode === 'exit') {
      process.stderr.write(`panic ${hostile}\n`);
      process.exit(3);
    }
    return `${hostile} is not JSON`;
  },
  () => JSON.stringify({ protocol: 1, name: `fake${hostile}`, version: `1${hostile}` }),
);
