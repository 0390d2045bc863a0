// Loads fine, then throws from createNode: the campaign ends with a harness error before any
// file is written into its report folder.
export default {
  name: 'create-node-throws',
  version: '1',
  createNode() {
    throw new Error('createNode is broken on purpose');
  },
};
