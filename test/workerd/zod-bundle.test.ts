import { z as appZ } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// The Workers bundle resolves `zod` to src/runtime/workers-zod (wrangler.toml [alias]); these suites alias it the
// same way (vitest.config.ts), so what runs here is what is uploaded — for the app's routes too, through
// @hono/zod-openapi. test/unit/workers-zod.test.ts checks the module against zod itself.
describe('zod inside workerd', () => {
  it('is the bundle build of zod, the same one @hono/zod-openapi hands the routes', () => {
    expect(appZ).toBe(z);
    expect(Object.keys(z)).not.toContain('locales');
    expect(Object.keys(z.core)).not.toContain('locales');
    expect(Object.keys(z)).toContain('object');
  });

  it('still reports its errors in English', () => {
    const result = z.object({ email: z.email() }).safeParse({ email: 'nope' });
    expect(result.error?.issues[0]?.message).toMatch(/^Invalid email/);
  });
});
