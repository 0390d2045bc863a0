// A module implementation whose nodes throw on their start input: every run fails before its
// first event, as a program that fails its handshake does.

export default {
  name: 'fails-at-start',
  version: '1.0.0',
  createNode() {
    return {
      step(input) {
        throw new Error(`cannot handle ${input.kind}`);
      },
    };
  },
};
