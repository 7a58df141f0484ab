import { createHarness } from '#harness';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness, RequestOptions } from '../support/harness';
import { tamperJwt } from '../support/tamper';
import { STRONG_PASSWORD, expectError, json, login, registerUser, uniqueEmail } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => {
  await h?.close();
});

describe('system endpoints', () => {
  it('answers liveness with status ok', async () => {
    const response = await h.request('/health');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'ok' });
  });

  it('reports ready when the database and key-value store answer', async () => {
    const response = await h.request('/health/ready');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: 'ok', checks: { database: 'ok', keyValue: 'ok' } });
  });

  it('publishes only public RSA members in the JWKS, cacheable for 5 minutes', async () => {
    const response = await h.request('/.well-known/jwks.json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const jwks = await json(response);
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('serves a discovery document naming the issuer and the JWKS', async () => {
    const doc = await json(await h.request('/.well-known/openid-configuration'));
    expect(doc.issuer).toBe('http://authgate.test');
    expect(doc.jwks_uri).toBe('http://authgate.test/.well-known/jwks.json');
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = await json(await h.request('/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/users/me']));
    const register = doc.paths['/api/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema).toBeDefined();
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '409']));
  });

  it('serves an interactive API reference as HTML with its own CSP', async () => {
    const response = await h.request('/api-docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('/openapi.json');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it("serves the reference's script and style itself, and its CSP allows no other host", async () => {
    const page = await h.request('/api-docs');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/https?:|unsafe-inline/);
    const html = await page.text();
    for (const [asset, type] of [['/api-docs/reference.js', /text\/javascript/], ['/api-docs/reference.css', /text\/css/]] as const) {
      expect(html).toContain(asset);
      const response = await h.request(asset);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(type);
      expect((await response.text()).length).toBeGreaterThan(100);
    }
  });
});

describe('register, login and /users/me', () => {
  it('registers, logs in and reads the profile with the access token', async () => {
    const email = uniqueEmail();
    const registered = await registerUser(h, { email, name: 'Ada Lovelace' });
    expect(registered.user).toMatchObject({ email, name: 'Ada Lovelace', role: 'USER', emailVerified: false, mfaEnabled: false });

    const response = await login(h, email, STRONG_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await json(response);
    expect(body.data).toMatchObject({ mfaRequired: false, tokenType: 'Bearer', expiresIn: 900 });
    expect(body.data.user.lastLoginAt).not.toBeNull();

    const me = await h.request('/api/v1/users/me', { token: body.data.accessToken });
    expect(me.status).toBe(200);
    expect((await json(me)).data.user).toMatchObject({ id: registered.user.id, email });
  });

  it('mints RS256 at+jwt access tokens that any service verifies from the JWKS alone', async () => {
    const { accessToken, user } = await registerUser(h);
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const jwks = createLocalJWKSet(await json(await h.request('/.well-known/jwks.json')));
    const { payload } = await jwtVerify(accessToken, jwks, {
      issuer: 'http://authgate.test',
      audience: 'authgate-test',
      typ: 'at+jwt',
      currentDate: new Date(h.clock.nowMs()),
    });
    expect(payload).toMatchObject({ sub: user.id, role: 'USER', amr: ['pwd'], type: 'access' });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.jti).toBe('string');
  });

  it('treats case and NFKC variants of an e-mail as one account', async () => {
    const email = uniqueEmail('Case');
    await registerUser(h, { email: email.toLowerCase() });
    const variant = `  ${email.toUpperCase().replace('@', '\uFF20')}  `; // fullwidth @ folds to @ under NFKC
    const response = await h.request('/api/v1/auth/register', { method: 'POST', json: { email: variant, password: STRONG_PASSWORD } });
    await expectError(response, 409, 'CONFLICT');
    expect((await login(h, variant, STRONG_PASSWORD)).status).toBe(200);
  });

  it('creates plain unverified users whatever extra fields the body carries', async () => {
    const response = await h.request('/api/v1/auth/register', {
      method: 'POST',
      json: { email: uniqueEmail(), password: STRONG_PASSWORD, role: 'SUPER_ADMIN', emailVerified: true, ['__proto__']: { role: 'ADMIN' } },
    });
    expect(response.status).toBe(201);
    expect((await json(response)).data.user).toMatchObject({ role: 'USER', emailVerified: false });
  });

  it('answers a wrong password and an unknown e-mail with the same 401 body', async () => {
    const { email } = await registerUser(h);
    const wrong = await expectError(await login(h, email, 'not-the-right-password'), 401, 'AUTHENTICATION_ERROR');
    const unknown = await expectError(await login(h, uniqueEmail(), 'not-the-right-password'), 401, 'AUTHENTICATION_ERROR');
    delete wrong.error.requestId;
    delete unknown.error.requestId;
    expect(wrong).toEqual(unknown);
  });

  it('refuses /users/me without a token, with a tampered token and with an expired token', async () => {
    const { accessToken } = await registerUser(h);
    await expectError(await h.request('/api/v1/users/me'), 401, 'AUTHENTICATION_ERROR');
    // A byte of the decoded signature, not its base64url text: the last characters carry padding bits.
    await expectError(await h.request('/api/v1/users/me', { token: tamperJwt(accessToken) }), 401, 'AUTHENTICATION_ERROR');
    h.clock.advance(901);
    try {
      await expectError(await h.request('/api/v1/users/me', { token: accessToken }), 401, 'TOKEN_EXPIRED');
    } finally {
      h.clock.advance(-901);
    }
  });

  it('rejects a password shorter than 12 characters with details naming the field', async () => {
    const response = await h.request('/api/v1/auth/register', { method: 'POST', json: { email: uniqueEmail(), password: 'short-pw' } });
    const body = await expectError(response, 400, 'VALIDATION_ERROR');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
  });
});

describe('the HTTP envelope', () => {
  it('answers unknown routes with a 404 envelope', async () => {
    await expectError(await h.request('/api/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const response = await h.request('/api/v1/auth/login', { method: 'GET' });
    expect(response.headers.get('allow')).toContain('POST');
    await expectError(response, 405, 'METHOD_NOT_ALLOWED');
  });

  it('refuses bodies over 16 KiB with 413', async () => {
    const response = await h.request('/api/v1/auth/login', { method: 'POST', json: { email: 'a@example.com', password: 'x'.repeat(17 * 1024) } });
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('counts a chunked body (no Content-Length) as it streams: 413 over 16 KiB, read as usual under it', async () => {
    const streamed = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let offset = 0; offset < bytes.length; offset += 1024) controller.enqueue(bytes.subarray(offset, offset + 1024));
          controller.close();
        },
      });
    const chunked = (body: unknown) =>
      h.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamed(JSON.stringify(body)), duplex: 'half' } as RequestOptions);
    await expectError(await chunked({ email: 'a@example.com', password: 'x'.repeat(17 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    // Under the limit the body is read and validated: an unknown account gets the generic 401, not a 4xx about the body.
    await expectError(await chunked({ email: uniqueEmail(), password: STRONG_PASSWORD }), 401, 'AUTHENTICATION_ERROR');
  });

  it('refuses non-JSON bodies with 415', async () => {
    const response = await h.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40example.com&password=x',
    });
    await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers malformed JSON, wrong types and operator objects with 400 VALIDATION_ERROR', async () => {
    const truncated = await h.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email": "a@' });
    await expectError(truncated, 400, 'VALIDATION_ERROR');
    const operator = await h.request('/api/v1/auth/login', { method: 'POST', json: { email: { $ne: '' }, password: STRONG_PASSWORD } });
    const body = await expectError(operator, 400, 'VALIDATION_ERROR');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'email' })]);
  });

  it('refuses CR/LF in an e-mail or a name', async () => {
    const email = await h.request('/api/v1/auth/register', { method: 'POST', json: { email: 'a@example.com\r\nBcc: x@evil.test', password: STRONG_PASSWORD } });
    await expectError(email, 400, 'VALIDATION_ERROR');
    const name = await h.request('/api/v1/auth/register', { method: 'POST', json: { email: uniqueEmail(), password: STRONG_PASSWORD, name: 'Eve\nAdmin' } });
    await expectError(name, 400, 'VALIDATION_ERROR');
  });

  it('puts the security headers on successes and errors alike', async () => {
    for (const response of [await h.request('/health'), await h.request('/nope')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('echoes a valid X-Request-ID and replaces an invalid one', async () => {
    const kept = await h.request('/health', { headers: { 'x-request-id': 'trace-123.abc:def' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-123.abc:def');
    const replaced = await h.request('/health', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id\twith spaces');
  });

  it('echoes only configured CORS origins, with Vary: Origin', async () => {
    const allowed = await h.request('/health', { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    for (const origin of ['https://evil.example.com', 'null']) {
      const refused = await h.request('/health', { headers: { origin } });
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('rate limits', () => {
  it('allows 5 logins a minute per IP, then answers 429 with Retry-After and RateLimit headers', async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await login(h, uniqueEmail(), 'whatever-password', { ip });
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('ratelimit-limit')).toBe('5');
        expect(last.headers.get('ratelimit-remaining')).toBe('4');
        expect(last.headers.get('x-ratelimit-limit')).toBe('5');
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    await expectError(last!, 429, 'RATE_LIMITED');
    // Another IP has its own bucket.
    expect((await login(h, uniqueEmail(), 'whatever-password')).status).toBe(401);
  });
});
