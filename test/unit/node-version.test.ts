import { describe, expect, it } from 'vitest';
import { unsupportedNodeMessage } from '../../src/runtime/node-version';

describe('the Node versions npm start accepts', () => {
  it('accepts 20.6 and later, 22 and 24', () => {
    for (const version of ['20.6.0', '20.20.2', '22.0.0', '22.23.5', '24.0.0', '24.22.3', '26.1.0']) expect(unsupportedNodeMessage(version)).toBeUndefined();
  });

  it('refuses older ones with one line naming the version to install', () => {
    for (const version of ['18.20.8', '20.5.1', '16.0.0', '19.9.0']) {
      const message = unsupportedNodeMessage(version);
      expect(message).toBe(`Node ${version} is too old: install Node 24 (see .nvmrc); 20.6 or newer also works`);
    }
  });
});
