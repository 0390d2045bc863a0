// Starts fine, then dies on its first tick with a message on stderr.
import { emptyOutput, serve } from './serve.mjs';
serve((input) => {
  if (input.kind === 'tick') {
    process.stderr.write('fake: panic: tick handling is broken\n');
    process.exit(3);
  }
  return JSON.stringify(emptyOutput);
});
