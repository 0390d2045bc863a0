// Never answers a tick. With an argument, it first writes its pid to that file (for the test that
// no program outlives the harness).
import { writeFileSync } from 'node:fs';
import { emptyOutput, serve } from './serve.mjs';
if (process.argv[2] !== undefined) writeFileSync(process.argv[2], `${process.pid}\n`, { flag: 'a' });
process.on("SIGINT", () => {}); // a stubborn program: only SIGKILL stops it
setInterval(() => {}, 60_000); // and it outlives its stdin
serve((input) => (input.kind === 'tick' ? undefined : JSON.stringify(emptyOutput)));
