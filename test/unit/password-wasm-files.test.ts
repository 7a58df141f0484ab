import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Workers load hash-wasm's WebAssembly from committed copies (src/adapters/password/wasm). The check runs in a
// child process because it must watch a hash-wasm that has not compiled anything yet.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'src', 'adapters', 'password', 'wasm');
const check = (dir: string) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/extract-hash-wasm.ts', '--check', '--dir', dir], { cwd: root }).then(
    () => ({ ok: true, stderr: '' }),
    (error: { stderr: string }) => ({ ok: false, stderr: error.stderr }),
  );

describe('committed hash-wasm WebAssembly', () => {
  const scratch = mkdtemp(join(tmpdir(), 'authgate-wasm-'));
  afterAll(async () => rm(await scratch, { recursive: true, force: true }));

  it('matches what the installed hash-wasm compiles (re-run scripts/extract-hash-wasm.ts after an upgrade)', async () => {
    expect(await check(committed)).toEqual({ ok: true, stderr: '' });
  });

  it('is reported as out of date when a committed binary drifts from the installed hash-wasm', async () => {
    const dir = await scratch;
    await cp(committed, dir, { recursive: true });
    const argon2 = await readFile(join(dir, 'argon2.wasm'));
    argon2[argon2.length - 1]! ^= 1;
    await writeFile(join(dir, 'argon2.wasm'), argon2);
    const result = await check(dir);
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('argon2.wasm');
    expect(result.stderr).not.toContain('blake2b.wasm');
  });
});
