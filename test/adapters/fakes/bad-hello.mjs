// Claims protocol version 2.
import { emptyOutput, serve } from './serve.mjs';
serve(() => JSON.stringify(emptyOutput), () => JSON.stringify({ protocol: 2, name: 'fake', version: '0.0.1' }));
