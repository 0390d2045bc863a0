// A module implementation that offers a whole exploration hook, with symmetry off: its digests
// write nothing of its (stateless) nodes, and its records are kept as they are.

const emptyOutput = { messages: [], records: [], sync: false, applied: [], answers: [] };
const nothing = () => undefined;

export default {
  name: 'whole-exploration',
  version: '1.0.0',
  createNode() {
    return { step: () => emptyOutput };
  },
  exploration: {
    symmetric: false,
    symmetryNote: 'off: this module renames nothing',
    digestNode: nothing,
    digestNodeIds: nothing,
    digestMessage: nothing,
    digestMessageIds: nothing,
    digestRecord: nothing,
    digestRecordIds: nothing,
    compact: (records) => records,
  },
};
