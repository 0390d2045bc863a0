// Sends a message to node 9 on start (clusters in the tests have fewer nodes).
import { emptyOutput, serve } from './serve.mjs';
serve(() => JSON.stringify({ ...emptyOutput, messages: [{ to: 9, message: { type: 'Ping', body: {} } }] }));
