// Proves the http-workerd project really executes inside workerd, with what its suites rely on: `.wasm` imports,
// values from the globalSetup through inject(), and outbound fetch to the bridges on loopback.
import { describe, expect, inject, it } from 'vitest';
import answerModule from './fixtures/answer.wasm';

describe('the workerd test project', () => {
  it('runs test files inside the Workers runtime, not Node', () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
  });

  it('imports a .wasm file as a compiled WebAssembly.Module', async () => {
    expect(answerModule).toBeInstanceOf(WebAssembly.Module);
    const instance = await WebAssembly.instantiate(answerModule);
    const answer = instance.exports.answer as () => number;
    expect(answer()).toBe(42);
  });

  it('reaches the Upstash REST bridge started by the globalSetup, with its token', async () => {
    const response = await fetch(inject('upstashUrl'), {
      method: 'POST',
      headers: { authorization: `Bearer ${inject('upstashToken')}` },
      body: JSON.stringify(['PING']),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'PONG' });
  });

  it('reaches PostgreSQL through the Neon HTTP bridge started by the globalSetup', async () => {
    const response = await fetch(inject('neonFetchEndpoint'), {
      method: 'POST',
      headers: { 'neon-connection-string': inject('databaseUrl') },
      body: JSON.stringify({ query: 'select $1::int + 1 as answer', params: ['41'] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: { answer: number }[] };
    expect(body.rows).toEqual([{ answer: 42 }]);
  });
});
