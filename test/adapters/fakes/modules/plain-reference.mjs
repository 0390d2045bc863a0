// The reference listing no protocol-v2 feature: driven as an implementation of Raft's plain core,
// whatever a scenario asks of membership or snapshots.

import { referenceImplementation } from '../../../../dist/src/adapters/reference.js';

export default { ...referenceImplementation(), name: 'plain-reference', features: [] };
