// Writes JSON with sync as a string.
import { emptyOutput, serve } from './serve.mjs';
serve(() => JSON.stringify({ ...emptyOutput, sync: 'yes' }));
