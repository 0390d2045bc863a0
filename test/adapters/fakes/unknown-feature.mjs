// Protocol 2, listing a feature raftcheck does not know.
import { emptyOutput, serve } from './serve.mjs';
serve(() => JSON.stringify(emptyOutput), () => JSON.stringify({ protocol: 2, name: 'fake', version: '0.0.2', features: ['membership', 'prevote'] }));
