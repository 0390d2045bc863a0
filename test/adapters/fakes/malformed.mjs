// Writes a line that is not JSON for its start input.
import { serve } from './serve.mjs';
serve(() => '{"messages": [');
