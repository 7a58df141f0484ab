import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import * as workersZod from '../../src/runtime/workers-zod/index';

// The Workers bundle resolves `zod` to src/runtime/workers-zod (wrangler.toml [alias]). It must be zod itself, less
// exactly the parts left out to keep the upload small: the locales, fromJSONSchema and the schema compiler.
const LEFT_OUT = ['locales', 'fromJSONSchema', 'compile', 'withParser', 'INVALID', 'ZodCompileAsyncError', 'ZodCompileUnsupportedError'];
const LEFT_OUT_OF_CORE = ['locales', 'compile', 'compileFn', 'withParser', 'INVALID', 'ZodCompileAsyncError', 'ZodCompileUnsupportedError'];

// Namespaces are rebuilt by the shim (that is the point), so they are compared member by member, not by identity.
const NAMESPACES = ['z', 'default', 'core', 'iso', 'coerce'];

function sameExportsBut(real: object, shim: object, leftOut: string[]) {
  const expected = Object.keys(real).filter((key) => !leftOut.includes(key)).sort();
  expect(Object.keys(shim).sort()).toEqual(expected);
  for (const key of expected.filter((name) => !NAMESPACES.includes(name))) {
    expect((shim as Record<string, unknown>)[key], key).toBe((real as Record<string, unknown>)[key]);
  }
}

describe('zod for the Workers bundle', () => {
  it('exports every value zod exports, the very same ones, but the locales, fromJSONSchema and the compiler', () => {
    for (const name of LEFT_OUT) expect(Object.keys(zod)).toContain(name);
    sameExportsBut(zod, workersZod, LEFT_OUT);
    sameExportsBut(zod.z, workersZod.z, LEFT_OUT);
    expect(workersZod.default).toBe(workersZod.z);
  });

  it('has zod core, iso and coerce namespaces with the same members (core less its locales and compiler)', () => {
    sameExportsBut(zod.z.core, workersZod.z.core, LEFT_OUT_OF_CORE);
    sameExportsBut(zod.z.iso, workersZod.z.iso, []);
    sameExportsBut(zod.z.coerce, workersZod.z.coerce, []);
  });

  it('validates with English messages, as zod does', () => {
    const result = workersZod.z.object({ email: workersZod.z.email() }).safeParse({ email: 'nope' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(zod.z.object({ email: zod.z.email() }).safeParse({ email: 'nope' }).error?.issues[0]?.message);
    expect(result.error?.issues[0]?.message).toMatch(/^Invalid email/);
  });
});
