// Answers its start input, then exits with code 7 before the next input arrives: the harness
// finds the program gone when it next writes to it.
import { emptyOutput, serve } from './serve.mjs';
serve((input) => {
  if (input.kind === 'start') {
    process.stdout.write(`${JSON.stringify(emptyOutput)}\n`);
    process.stderr.write('fake: gone after start\n');
    process.exit(7);
  }
  return JSON.stringify(emptyOutput);
});
