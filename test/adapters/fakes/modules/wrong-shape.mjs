export default { name: 'no-create-node', version: '1' };
