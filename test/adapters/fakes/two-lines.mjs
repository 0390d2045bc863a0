// Answers every input twice.
import { emptyOutput, serve } from './serve.mjs';
serve(() => `${JSON.stringify(emptyOutput)}\n${JSON.stringify(emptyOutput)}`);
