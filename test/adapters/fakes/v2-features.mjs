// Protocol 2, listing the membership feature; answers every input with an empty output that
// keeps the whole input as a durable record (so a test sees what line arrived).
import { emptyOutput, serve } from './serve.mjs';
serve((input) => JSON.stringify({ ...emptyOutput, records: [input] }), () => JSON.stringify({ protocol: 2, name: 'fake', version: '0.0.2', features: ['membership'] }));
