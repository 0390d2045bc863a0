// Loads fine, then throws from createNode: the implementation's error (exit 4) at the first start.
export default {
  name: 'create-node-throws',
  version: '1',
  createNode() {
    throw new Error('createNode is broken on purpose');
  },
};
