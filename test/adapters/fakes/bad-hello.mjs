// Claims protocol version 3.
import { emptyOutput, serve } from './serve.mjs';
serve(() => JSON.stringify(emptyOutput), () => JSON.stringify({ protocol: 3, name: 'fake', version: '0.0.1' }));
