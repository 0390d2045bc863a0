// A module implementation may offer the contract's optional exploration hook; one whose hook has
// the wrong shape is refused when it loads, naming what is wrong, as any other wrong shape is.

import { describe, expect, it } from 'vitest';
import { ModuleLoadError, moduleImplementation } from '../../src/adapters/module.js';

const fakes = 'test/adapters/fakes/modules';

describe('a module implementation with an exploration hook', () => {
  it('is refused when the hook lacks functions, naming each one and the module', async () => {
    const loading = moduleImplementation(`${fakes}/broken-exploration.mjs`);
    await expect(loading).rejects.toBeInstanceOf(ModuleLoadError);
    await expect(loading).rejects.toThrow(
      `implementation module ${fakes}/broken-exploration.mjs does not export an Implementation: its exploration hook's digestRecordIds, compact are not functions`,
    );
  });

  it('loads with its hook when the module offers a whole one', async () => {
    const implementation = await moduleImplementation(`${fakes}/whole-exploration.mjs`);
    expect(implementation.exploration?.symmetryNote).toBe('off: this module renames nothing');
  });
});
