import { argon2d, argon2i, argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { createNodePasswordHasher } from '../../src/adapters/password/node';
import type { Argon2Params } from '../../src/adapters/password/phc';
import { createWasmPasswordHasher } from '../../src/adapters/password/wasm';

const current: Argon2Params = { memoryKib: 19456, iterations: 2, parallelism: 1 };
const older: Argon2Params = { memoryKib: 65536, iterations: 3, parallelism: 4 };
const adapters = [
  { name: 'node:crypto', create: createNodePasswordHasher },
  { name: 'hash-wasm', create: createWasmPasswordHasher },
] as const;

const password = 'correct horse battery staple';
const phcShape = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe.each(adapters)('$name password hasher', ({ create }) => {
  const hasher = create(current);

  it('hashes to an Argon2id PHC string with the configured parameters, a 16-byte salt and a 32-byte hash', async () => {
    const phc = await hasher.hash(password);
    expect(phc).toMatch(phcShape);
    expect(await hasher.hash(password)).not.toBe(phc);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const phc = await hasher.hash(password);
    expect(await hasher.verify(phc, password)).toBe(true);
    expect(await hasher.verify(phc, 'correct horse battery stapler')).toBe(false);
    expect(await hasher.verify(phc, '')).toBe(false);
  });

  it('does not truncate: a 100-character password does not verify with its first 72 characters', async () => {
    const long = 'a1b2c3d4e5'.repeat(10);
    const phc = await hasher.hash(long);
    expect(await hasher.verify(phc, long.slice(0, 72))).toBe(false);
    expect(await hasher.verify(phc, long)).toBe(true);
  });

  it('verifies a hash made with older parameters and asks for a rehash, but not for a current one', async () => {
    const old = await create(older).hash(password);
    expect(old).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
    expect(await hasher.verify(old, password)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash(password))).toBe(false);
  });

  it('asks for a rehash of a hash with the current parameters but a shorter output', async () => {
    const short = await argon2id({ password, salt: new Uint8Array(16).fill(7), memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 16, outputType: 'encoded' });
    expect(await hasher.verify(short, password)).toBe(true);
    expect(hasher.needsRehash(short)).toBe(true);
  });

  it('refuses genuine argon2i and argon2d hashes of the same password', async () => {
    const options = { password, salt: new Uint8Array(16).fill(1), memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32, outputType: 'encoded' as const };
    for (const phc of [await argon2i(options), await argon2d(options)]) {
      expect(await hasher.verify(phc, password)).toBe(false);
      expect(hasher.needsRehash(phc)).toBe(true);
    }
  });

  it('verifies malformed and hostile PHC strings as false without throwing', async () => {
    const good = await hasher.hash(password);
    const [, , , , salt, hash] = good.split('$');
    const hostile = [
      '',
      'not a hash',
      good.slice(0, -1),
      good.slice(0, good.lastIndexOf('$')),
      good.slice(0, 30),
      `${good}$`,
      ` ${good}`,
      good.toUpperCase(),
      `$argon2id$v=19$m=4194304,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=4294967295,t=1,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=99999999999999999999,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=19456,t=1000000,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=255$${salt}$${hash}`,
      `$argon2id$v=19$m=19456,t=0,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=4,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=019456,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$t=2,m=19456,p=1$${salt}$${hash}`,
      `$argon2id$v=16$m=19456,t=2,p=1$${salt}$${hash}`,
      `$argon2id$m=19456,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1,keyid=abc$${salt}$${hash}`,
      `$argon2i$v=19$m=19456,t=2,p=1$${salt}$${hash}`,
      `$argon2d$v=19$m=19456,t=2,p=1$${salt}$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}==$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash}=`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt?.replace(/[+/]/g, '-')}!$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${hash?.slice(0, 10)}`,
      `$argon2id$v=19$m=19456,t=2,p=1$AAAA$${hash}`,
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$${'A'.repeat(400)}`,
    ];
    for (const phc of hostile) {
      await expect(hasher.verify(phc, password), phc).resolves.toBe(false);
      expect(hasher.needsRehash(phc), phc).toBe(true);
    }
  });

  it('refuses to hash an empty password', async () => {
    await expect(hasher.hash('')).rejects.toThrow(RangeError);
  });
});

describe('node:crypto and hash-wasm agree', () => {
  const node = createNodePasswordHasher(current);
  const wasm = createWasmPasswordHasher(current);

  it('a node:crypto hash verifies with hash-wasm', async () => {
    const phc = await node.hash(password);
    expect(await wasm.verify(phc, password)).toBe(true);
    expect(await wasm.verify(phc, `${password}!`)).toBe(false);
  });

  it('a hash-wasm hash verifies with node:crypto', async () => {
    const phc = await wasm.hash(password);
    expect(await node.verify(phc, password)).toBe(true);
    expect(await node.verify(phc, `${password}!`)).toBe(false);
  });

  it('they agree on hashes made with several lanes, non-ASCII passwords included', async () => {
    const unicode = 'pässwörd ✓ 密码 🔑';
    const fromNode = await createNodePasswordHasher(older).hash(unicode);
    const fromWasm = await createWasmPasswordHasher(older).hash(unicode);
    expect(await wasm.verify(fromNode, unicode)).toBe(true);
    expect(await node.verify(fromWasm, unicode)).toBe(true);
  });
});

describe('node:crypto password hasher and the event loop', () => {
  it('keeps the event loop turning while four hashes run', async () => {
    const hasher = createNodePasswordHasher(current);
    let turns = 0;
    let hashing = true;
    const spin = () => {
      if (!hashing) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const hashes = await Promise.all([1, 2, 3, 4].map((n) => hasher.hash(`${password} ${n}`)));
    hashing = false;
    expect(hashes).toHaveLength(4);
    // Hashing on the event loop thread would allow at most a turn or so between hashes; off it, the loop keeps
    // cycling for the whole time the thread pool works.
    expect(turns).toBeGreaterThan(20);
  });
});
