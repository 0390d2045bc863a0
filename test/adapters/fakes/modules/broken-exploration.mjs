// A module implementation whose optional exploration hook lacks two of its functions: refused at
// load with their names, rather than failing deep inside an explore.

const emptyOutput = { messages: [], records: [], sync: false, applied: [], answers: [] };

export default {
  name: 'broken-exploration',
  version: '1.0.0',
  createNode() {
    return { step: () => emptyOutput };
  },
  exploration: {
    symmetric: true,
    symmetryNote: 'on: says so',
    digestNode() {},
    digestNodeIds() {},
    digestMessage() {},
    digestMessageIds() {},
    digestRecord() {},
  },
};
