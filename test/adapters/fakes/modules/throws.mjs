throw new Error('this module is broken on purpose');
