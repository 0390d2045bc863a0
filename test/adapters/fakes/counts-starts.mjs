// Appends its pid to the file named by its first argument at every start input, so a test can
// tell how many processes served how many instances. With a second argument "restartable" it
// says so in its hello, and the harness may hand it several instances in turn.
import { appendFileSync } from 'node:fs';
import { emptyOutput, goodHello, serve } from './serve.mjs';
const [file, capability] = process.argv.slice(2);
const hello = capability === 'restartable' ? JSON.stringify({ ...JSON.parse(goodHello), restartable: true }) : goodHello;
serve((input) => {
  if (input.kind === 'start') appendFileSync(file, `${process.pid}\n`);
  return JSON.stringify(emptyOutput);
}, () => hello);
