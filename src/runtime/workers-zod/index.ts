// What `zod` resolves to in the Workers bundle (wrangler.toml [alias]; the http-workerd tests alias it the same way).
//
// @hono/zod-openapi hands zod's whole `z` namespace to extendZodWithOpenApi(z) at load time, so the bundler must
// build that namespace object with every export — including `z.locales` and `z.core.locales`, the error messages of
// 60-odd languages (about 260 KiB minified), which nothing here uses (zod's English messages are configured by
// its schemas module either way). This module is zod's own entry with those namespaces left out, and with them
// `fromJSONSchema` and the opt-in schema compiler (`z.compile`, about 30 KiB), which nothing here calls; everything
// else is zod's code, from the same files. test/unit/workers-zod.test.ts checks that it exports exactly what zod
// exports but those, the very same values, so a zod upgrade that adds or moves an export fails there.
import * as z from './external';

export * from './external';
export { z, z as default };
