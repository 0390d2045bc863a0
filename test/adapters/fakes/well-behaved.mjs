// Answers every input with an empty output, echoing the input's kind as a durable record.
import { emptyOutput, serve } from './serve.mjs';
serve((input) => JSON.stringify({ ...emptyOutput, records: [{ kind: input.kind }] }));
