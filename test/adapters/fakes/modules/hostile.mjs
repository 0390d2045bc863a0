// A module whose name carries terminal escapes, and whose nodes throw an error that does too.
const hostile = '\x1b]0;pwned\x07\x1b[2J';
const emptyOutput = { messages: [], records: [], sync: false, applied: [], answers: [] };

export default {
  name: `module${hostile}`,
  version: `1${hostile}`,
  createNode() {
    return {
      step(input) {
        if (input.kind === 'tick') throw new Error(`broken ${hostile}`);
        return emptyOutput;
      },
    };
  },
};
