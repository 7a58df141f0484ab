// Runs inside workerd: Workers refuse run-time WebAssembly compilation, which plain hash-wasm depends on;
// createWorkersPasswordHasher hands it the WebAssembly modules bundled at build time instead.
import { describe, expect, it, vi } from 'vitest';

const current = { memoryKib: 19456, iterations: 2, parallelism: 1 };
// Made by node:crypto.argon2 (src/adapters/password/node.ts), with these passwords.
const fromNode = {
  password: 'correct horse battery staple ✓',
  phc: '$argon2id$v=19$m=19456,t=2,p=1$Y+rK1gdjjG1uiQaLxWAsBA$onQ64pF7VRifqxFT1YQpOD0HtfMSlJr/UIfTjHlGQXU',
};
const fromOlderSystem = {
  password: 'Tr0ub4dor&3 from the old system',
  phc: '$argon2id$v=19$m=65536,t=3,p=4$aZt+PRe6ATZZ8HvnhtZOjw$hnQrMe2skWndan47CoqARA144m4z3muLXwnXznR2yrU',
};

describe('password hashing in workerd', () => {
  it('runs in the Workers runtime, where plain hash-wasm cannot compile its WebAssembly', async () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
    vi.resetModules();
    const { argon2id } = await import('hash-wasm');
    const attempt = argon2id({ password: 'x', salt: new Uint8Array(16), memorySize: 8, iterations: 1, parallelism: 1, hashLength: 32 });
    await expect(attempt).rejects.toThrow(/Wasm code generation disallowed by embedder/);
  });

  it('hashes and verifies with the static WebAssembly modules', async () => {
    vi.resetModules();
    const { createWorkersPasswordHasher } = await import('../../src/adapters/password/workers');
    const hasher = createWorkersPasswordHasher(current);
    const phc = await hasher.hash('a password long enough');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(phc, 'a password long enough')).toBe(true);
    expect(await hasher.verify(phc, 'a password long enough!')).toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
  });

  it('verifies hashes made by node:crypto.argon2, including ones with older parameters', async () => {
    vi.resetModules();
    const { createWorkersPasswordHasher } = await import('../../src/adapters/password/workers');
    const hasher = createWorkersPasswordHasher(current);
    expect(await hasher.verify(fromNode.phc, fromNode.password)).toBe(true);
    expect(await hasher.verify(fromNode.phc, 'correct horse battery staple')).toBe(false);
    expect(await hasher.verify(fromOlderSystem.phc, fromOlderSystem.password)).toBe(true);
    expect(hasher.needsRehash(fromOlderSystem.phc)).toBe(true);
    expect(await hasher.verify('$argon2id$v=19$m=4194304,t=2,p=1$Y+rK1gdjjG1uiQaLxWAsBA$onQ64pF7VRifqxFT1YQpOD0HtfMSlJr/UIfTjHlGQXU', fromNode.password)).toBe(false);
  });
});
