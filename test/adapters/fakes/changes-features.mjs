// Protocol 2: the first process to answer hello (the harness's probe) lists the snapshots
// feature, every later one none. The file named by the first argument marks that one has answered.
import { existsSync, writeFileSync } from 'node:fs';
import { emptyOutput, serve } from './serve.mjs';
const marker = process.argv[2];
serve(
  () => JSON.stringify(emptyOutput),
  () => {
    const first = !existsSync(marker);
    if (first) writeFileSync(marker, 'answered');
    return JSON.stringify({ protocol: 2, name: 'fake', version: '0.0.2', features: first ? ['snapshots'] : [] });
  },
);
