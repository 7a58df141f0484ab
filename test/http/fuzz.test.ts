import { createHarness } from '#harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { anyJson, hostileString, mutatedValue, validate, validValue, type JsonSchema, type OpenApiDocument, type Operation } from '../support/openapi-fuzz';
import { applyMutations, jwtMutations } from '../support/jwt-mutations';
import { tamperJwt } from '../support/tamper';
import { expectError, json, registerUser } from './helpers';

// Issue 14, "fuzzed input": for every operation of the service's own /openapi.json, requests built from the
// document's schemas — valid bodies, wrong types, hostile strings (lone surrogates, NUL, RTL, combining marks, emoji),
// missing and extra fields, malformed JSON, wrong content types, oversized bodies, hostile path and query values —
// with no token, a user's, the super admin's and broken ones. Every answer must be below 500, a status the document
// lists for that operation, with a body that matches the documented schema, and every error the envelope of API.md.
//
// A fixed seed per operation keeps CI deterministic; FUZZ_SEED and FUZZ_RUNS (Node) explore further. A failure
// names the operation, the seed and the counterexample (printed by fast-check), so it replays exactly.

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
const SEED = Number(env.FUZZ_SEED ?? 20261130);
const RUNS = Number(env.FUZZ_RUNS ?? 15);
/** Exploration: run every case and print every distinct problem instead of stopping at the first per operation. */
const COLLECT = env.FUZZ_COLLECT === '1';
const collected = new Set<string>();
const seen: Record<string, Record<number, number>> = {};
const ONLY = env.FUZZ_ONLY ? new RegExp(env.FUZZ_ONLY) : null;
const ADMIN = { ADMIN_EMAIL: 'fuzz.root@example.com', ADMIN_PASSWORD: 'quartz-meadow-lighthouse-73' };

const CODE_STATUS: Record<string, number> = {
  VALIDATION_ERROR: 400, AUTHENTICATION_ERROR: 401, TOKEN_EXPIRED: 401, TOKEN_REUSE_DETECTED: 401, MFA_REQUIRED: 403,
  AUTHORIZATION_ERROR: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503, INTERNAL_ERROR: 500,
};
const ERROR_SCHEMA: JsonSchema = { $ref: '#/components/schemas/Error' };

let h: Harness;
let doc: OpenApiDocument;
beforeAll(async () => {
  // Rate limits would answer most of the run with 429 (a status every operation documents, so nothing would fail,
  // and nothing would be tested): raised for this file. Admin routes are fuzzed with a password-only admin session.
  h = await createHarness({ RATE_LIMIT_GLOBAL: '1000000/60', RATE_LIMIT_AUTH: '1000000/60', ADMIN_MFA_REQUIRED: 'false', ...ADMIN });
  doc = await json(await h.request('/openapi.json'));
});
afterAll(async () => {
  await h?.close();
});

interface Identities {
  /** Real values for body fields of these names, so that valid requests also reach the success paths. */
  known: Record<string, string>;
  userToken: string;
  userId: string;
  sessionId: string;
  adminToken: string;
}

/** A fresh user and a fresh admin session per operation: an operation may log out, revoke or lock what it is given. */
async function identities(): Promise<Identities> {
  const user = await registerUser(h);
  const sessions = await json(await h.request('/api/v1/sessions', { token: user.accessToken }));
  const admin = await json(await h.request('/api/v1/auth/login', { method: 'POST', json: { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD } }));
  expect(admin.data?.accessToken, JSON.stringify(admin)).toBeTypeOf('string');
  const known = { email: user.email, password: user.password, currentPassword: user.password, refreshToken: user.refreshToken, name: 'Ada Lovelace' };
  return { known, userToken: user.accessToken, userId: user.user.id, sessionId: sessions.data.sessions[0].id, adminToken: admin.data.accessToken };
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the raw UTF-8 bytes of its code. */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((c) => (/[\uD800-\uDFFF]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
}

const RAW_SEGMENTS = ['%00', '%ff', '%C0%AF', '%ED%A0%80', '%2F', '%5C', '%25', '%', '%zz', '%u0041', 'a%0Ab', ';x=1', '*'];

// Values are cut so that a URL stays under the 16 KiB that Node's HTTP parser (431) and Cloudflare (414) accept
// before the app sees anything: worst case 9 query values of 120 code units at 9 bytes each once percent-encoded.
const cut = (limit: number) => (value: string) => value.slice(0, limit);

function pathValue(schema: JsonSchema, known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    validValue(doc, schema).map((v) => encodeSegment(cut(1000)(String(v)))),
    hostileString().map(cut(1000)).filter((v) => v.length > 0 && v !== '.' && v !== '..').map(encodeSegment),
    fc.constantFrom(...RAW_SEGMENTS),
    ...(known.length > 0 ? [fc.constantFrom(...known)] : []),
  );
}

function queryValue(schema: JsonSchema): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    validValue(doc, schema).map((v) => encodeSegment(cut(120)(String(v)))),
    hostileString().map(cut(120)).map(encodeSegment),
    fc.constantFrom('%00', '%ff', '%ED%A0%80', '%', '-1', '0', '1e309', '99999999999999999999', '2026-02-30', 'NaN'),
  );
}

/** `value` with every property named in `known` set to the real value (a schema-valid body that can succeed). */
function withKnown(value: unknown, known: Record<string, string>): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, property]) => [name, known[name] ?? property]));
}

/** A body as printed on failure: the real password and tokens replaced by their names. */
function redacted(body: string | undefined, ids: Identities): string {
  let text = body ?? '';
  for (const [name, value] of Object.entries(ids.known)) if (name !== 'name') text = text.split(JSON.stringify(value)).join(`"<${name}>"`);
  return text;
}

interface Draft {
  path: string;
  headers: Record<string, string>;
  body?: string;
  auth: string;
  bodyKind: string;
}

const MALFORMED = ['{', '{"a":', '[1,', 'nul', '{"a":1}}', '\u0000', '\uFEFF{}', "{'a':1}", '{"a":1,}', '{"a":NaN}', '"\\ud800"', '{"a":"\\x00"}', '1'.repeat(400), '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'];
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/json-patch+json', 'text/json', 'application/xml'];

function requestArbitrary(method: string, template: string, op: Operation, ids: Identities): fc.Arbitrary<Draft> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const known = [ids.userId, ids.sessionId, 'google', 'github', 'corp'];
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const body: fc.Arbitrary<{ bodyKind: string; body?: string; type?: string }> =
    method === 'GET'
      ? fc.constant({ bodyKind: 'none' })
      : fc.oneof(
          ...(bodySchema
            ? [
                { weight: 4, arbitrary: validValue(doc, bodySchema).map((v) => ({ bodyKind: 'valid', body: JSON.stringify(v), type: 'application/json' })) },
                { weight: 4, arbitrary: mutatedValue(doc, bodySchema).map((v) => ({ bodyKind: 'mutated', body: JSON.stringify(v), type: 'application/json' })) },
                {
                  weight: 2,
                  arbitrary: validValue(doc, bodySchema).map((v) => ({ bodyKind: 'valid, real values', body: JSON.stringify(withKnown(v, ids.known)), type: 'application/json' })),
                },
              ]
            : [{ weight: 2, arbitrary: fc.constant({ bodyKind: 'empty object', body: '{}', type: 'application/json' }) }]),
          { weight: 1, arbitrary: anyJson().map((v) => ({ bodyKind: 'any json', body: JSON.stringify(v) ?? 'null', type: 'application/json' })) },
          { weight: 1, arbitrary: fc.constantFrom(...MALFORMED).map((b) => ({ bodyKind: 'malformed', body: b, type: 'application/json' })) },
          { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES).map((type) => ({ bodyKind: 'wrong type', body: '{}', type })) },
          { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-16', 'APPLICATION/JSON', 'application/json;charset=utf-8;x=y').map((type) => ({ bodyKind: 'odd json type', body: '{}', type })) },
          { weight: 1, arbitrary: fc.constant({ bodyKind: 'none' }) },
          { weight: 1, arbitrary: fc.constant({ bodyKind: 'too large', body: JSON.stringify({ x: 'A'.repeat(17 * 1024) }), type: 'application/json' }) },
        );
  const auth = fc.constantFrom('none', 'user', 'user', 'admin', 'admin', 'tampered', 'garbage', 'basic', 'lower-case scheme', 'two tokens');
  return fc
    .record({
      pathValues: fc.tuple(...pathParams.map((p) => pathValue(p.schema, known))),
      queryValues: fc.tuple(...queryParams.map((p) => queryValue(p.schema))),
      body,
      auth,
      requestId: fc.constantFrom(undefined, 'fuzz-1', 'x'.repeat(129), '../etc', 'a b', '<script>'),
    })
    .map(({ pathValues, queryValues, body, auth, requestId }) => {
      let path = template;
      pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, pathValues[i]!)));
      const query = queryParams.flatMap((p, i) => (queryValues[i] === undefined ? [] : [`${p.name}=${queryValues[i]}`]));
      if (query.length > 0) path += `?${query.join('&')}`;
      const headers: Record<string, string> = {};
      if (body.type) headers['content-type'] = body.type;
      if (requestId) headers['x-request-id'] = requestId;
      const token = auth === 'admin' ? ids.adminToken : ids.userToken;
      if (auth === 'user' || auth === 'admin') headers.authorization = `Bearer ${token}`;
      if (auth === 'tampered') headers.authorization = `Bearer ${tamperJwt(ids.userToken, 1)}`;
      if (auth === 'garbage') headers.authorization = 'Bearer a.b.c';
      if (auth === 'basic') headers.authorization = 'Basic Zm9vOmJhcg==';
      if (auth === 'lower-case scheme') headers.authorization = `bearer ${ids.userToken}`;
      if (auth === 'two tokens') headers.authorization = `Bearer ${ids.userToken} ${ids.adminToken}`;
      return { path, headers, auth, bodyKind: body.bodyKind, ...(body.body !== undefined ? { body: body.body } : {}) };
    });
}

/** Every way the answer breaks the contract ([] when it keeps it). */
async function contractProblems(op: Operation, response: Response): Promise<string[]> {
  const problems: string[] = [];
  const status = response.status;
  const text = await response.text();
  if (status >= 500) return [`${status}: ${text.slice(0, 300)}`];
  const documented = op.responses[String(status)];
  if (!documented) problems.push(`status ${status} is not documented for this operation (${text.slice(0, 200)})`);
  const requestId = response.headers.get('x-request-id');
  if (!requestId) problems.push('no X-Request-ID');
  if (status >= 300 && status < 400) {
    if (!response.headers.get('location')) problems.push(`${status} without Location`);
    return problems;
  }
  const schema = documented?.content?.['application/json']?.schema;
  const isJson = /^application\/json/.test(response.headers.get('content-type') ?? '');
  if (!schema && status < 400) return problems;
  if (!isJson) return [...problems, `${status} answered ${response.headers.get('content-type')}, not JSON`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `${status} body is not JSON: ${text.slice(0, 200)}`];
  }
  if (schema) problems.push(...validate(doc, schema, body).map((p) => `${status} body: ${p}`));
  if (status >= 400) {
    problems.push(...validate(doc, ERROR_SCHEMA, body).map((p) => `error envelope: ${p}`));
    const error = (body as { error?: { code?: string; statusCode?: number; requestId?: string } }).error;
    if (error?.statusCode !== status) problems.push(`error.statusCode ${error?.statusCode} on a ${status}`);
    if (error?.code && CODE_STATUS[error.code] !== status) problems.push(`error code ${error.code} on a ${status}`);
    if (error?.requestId !== requestId) problems.push('error.requestId differs from X-Request-ID');
  }
  if (/at [\w.<>]+ \(|node_modules|SELECT |INSERT /.test(text)) problems.push('internals in the body');
  return problems;
}

describe('every operation of /openapi.json, fuzzed', () => {
  it('answers every generated request below 500, with a documented status, schema and error envelope', { timeout: 600_000 }, async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const failures: string[] = [];
    let requests = 0;
    for (const [index, { path, method, op }] of operations.entries()) {
      if (ONLY && !ONLY.test(`${method} ${path}`)) continue;
      const ids = await identities();
      const seed = SEED + index;
      const result = await fc.check(
        fc.asyncProperty(requestArbitrary(method, path, op, ids), async (draft) => {
          requests++;
          const response = await h.request(draft.path, { method, headers: draft.headers, ...(draft.body !== undefined ? { body: draft.body } : {}) });
          const statuses = (seen[`${method} ${path}`] ??= {});
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          const problems = await contractProblems(op, response);
          if (problems.length > 0 && COLLECT) {
            if (response.status >= 500) problems.push(`log: ${h.logs.filter((l) => l.includes('"error"')).at(-1)?.slice(0, 600)}`);
            for (const problem of problems) collected.add(`${method} ${path}: ${problem.slice(0, 240)} [${draft.bodyKind}, ${draft.auth}, ${draft.path.slice(0, 80)}] ${redacted(draft.body, ids).slice(0, 120)}`);
            return;
          }
          if (problems.length > 0) throw new Error(problems.join('\n'));
        }),
        { seed, numRuns: RUNS, endOnFailure: true },
      );
      if (result.failed) {
        const draft = result.counterexample?.[0] as Draft | undefined;
        // The token itself is never printed: `auth` names which one was sent.
        const shown = draft ? { ...draft, headers: { ...draft.headers, authorization: undefined }, body: redacted(draft.body, ids).slice(0, 300) } : undefined;
        failures.push(`${method} ${path} (seed ${seed}): ${String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance)}\n  request: ${JSON.stringify(shown)}`);
      }
    }
    if (COLLECT) console.log([...collected, ...Object.entries(seen).map(([op, statuses]) => `statuses ${op} ${JSON.stringify(statuses)}`)].join('\n'));
    expect([...collected]).toEqual([]);
    expect(failures, failures.join('\n\n')).toEqual([]);
    if (!ONLY) expect(requests).toBeGreaterThanOrEqual(operations.length * RUNS);
  });
});

describe('hostile inputs the fuzzer found, kept as fixed cases', () => {
  it('answers a callback for a provider whose name cannot be a cookie path with 404, not 500', async () => {
    for (const provider of ['%C4%B0stanbul', ';x=1', '%00', '%F0%9F%98%80']) {
      await expectError(await h.request(`/api/v1/oauth/${provider}/callback?code=x&state=y`), provider === '%00' ? 400 : 404, provider === '%00' ? 'VALIDATION_ERROR' : 'NOT_FOUND');
    }
  });

  it('refuses a NUL in a path parameter with 400 before it reaches PostgreSQL', async () => {
    const { accessToken } = await registerUser(h);
    for (const [method, path] of [
      ['DELETE', '/api/v1/passkeys/%00'], ['PATCH', '/api/v1/passkeys/a%00b'], ['DELETE', '/api/v1/sessions/%00'],
      ['DELETE', '/api/v1/users/me/identities/%00'], ['POST', '/api/v1/auth/verify-email/%00'],
    ] as const) {
      const body = await expectError(await h.request(path, { method, token: accessToken, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) }), 400, 'VALIDATION_ERROR');
      expect(body.error.details, `${method} ${path}`).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'Must not contain control characters' })]));
    }
  });

  it("audits a USER's refused admin call on a path with a NUL (stored as U+FFFD) and answers 403, not 500", async () => {
    const { accessToken, user } = await registerUser(h);
    await expectError(await h.request('/api/v1/admin/users/a%00b', { token: accessToken }), 403, 'AUTHORIZATION_ERROR');
    const denied = (await h.deps.db.audit.listForUser(user.id, 10)).find((entry) => entry.action === 'ACCESS_DENIED');
    expect(denied?.metadata).toMatchObject({ path: '/api/v1/admin/users/a\uFFFDb' });
  });

  it('documents the answers API.md gives every route: 429 everywhere, 401 on bearer routes, 400/413/415 where a body can go', async () => {
    expect(Object.keys(doc.paths['/api/v1/auth/logout']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '429']));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const statuses = Object.keys(op.responses);
        expect(statuses, `${method} ${path}`).toContain('429');
        if (op.security?.length) expect(statuses, `${method} ${path}`).toContain('401');
        if (method !== 'get') expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '413', '415']));
      }
    }
  });
});

describe('random mutations of a genuine access token, through HTTP', () => {
  it('are a 401 AUTHENTICATION_ERROR on /users/me, never a 200 and never a 500', async () => {
    const { accessToken } = await registerUser(h);
    expect((await h.request('/api/v1/users/me', { token: accessToken })).status).toBe(200);
    await fc.assert(
      fc.asyncProperty(fc.array(jwtMutations, { minLength: 1, maxLength: 2 }), async (chosen) => {
        const token = applyMutations(accessToken, chosen);
        // A NUL cannot go in a header, and whitespace at either end is trimmed off it (leaving the genuine token).
        if (token === accessToken || /\u0000|^\s|\s$/.test(token)) return;
        await expectError(await h.request('/api/v1/users/me', { token }), 401, 'AUTHENTICATION_ERROR');
      }),
      { seed: SEED, numRuns: 4 * RUNS },
    );
  });
});
