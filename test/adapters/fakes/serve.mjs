// Shared by the fake programs: a line-by-line protocol loop. `answer(input)` returns the line to
// write (a string), or undefined to write nothing.
import { createInterface } from 'node:readline';

export const emptyOutput = { messages: [], records: [], sync: false, applied: [], answers: [] };
export const goodHello = JSON.stringify({ protocol: 1, name: 'fake', version: '0.0.1' });

export function serve(answer, hello = () => goodHello) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const input = JSON.parse(line);
    const reply = input.kind === 'hello' ? hello(input) : answer(input);
    if (reply !== undefined) process.stdout.write(`${reply}\n`);
  });
}
