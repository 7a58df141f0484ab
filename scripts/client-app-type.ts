// The declaration source of @authgate/client's dist/app.d.ts (scripts/build-client.ts): type-checked, never run or
// bundled. The server's AppType is an OpenAPIHono over AppEnv, whose declarations reach into the whole server
// (@hono/zod-openapi, the ports, the config). A plain Hono over the same routes, with its type *inferred*, makes tsc
// write the routes out in hono's own types, so a consumer of the client needs hono alone.
import { Hono } from 'hono';
import type { BlankEnv } from 'hono/types';
import type { AppType as ServerApp } from '../src/app';

type RoutesOf<App> = App extends Hono<infer _Env, infer Routes, infer _BasePath> ? Routes : never;

const app = new Hono<BlankEnv, RoutesOf<ServerApp>, '/'>();

/** Every route of the service (paths, methods, request bodies, responses), for `hc<AppType>` and hono's Infer* helpers. */
export type AppType = typeof app;
