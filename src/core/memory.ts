// The memory a search or a campaign holds: the JavaScript heap in use plus the memory V8 keeps
// outside it for array buffers (the explorer's frontier and visited set are Int32Arrays, the
// coverage sketch a Uint8Array), which `heapUsed` alone leaves out. Read from V8 directly: it
// costs well under a microsecond, where process.memoryUsage() reads the resident size from the
// operating system (tens of microseconds).

import { getHeapStatistics } from 'node:v8';

export function memoryInUseBytes(): number {
  const statistics = getHeapStatistics();
  return statistics.used_heap_size + statistics.external_memory;
}
