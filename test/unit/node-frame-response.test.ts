import { Agent, createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frameHeadersOf, frameResponses, type FrameResponses } from '../../src/runtime/node-frame-response';

// The Node server's response class: the frame's headers ride beside the response and are merged into writeHead.
// Each case is a real node:http server with the class, and a real request; what is asserted is what a client reads.

interface Answer {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  /** Header lines in the order they came on the wire, names as sent. */
  rawNames: string[];
  body: string;
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function serveWith(handler: (response: ServerResponse, responses: FrameResponses) => void | Promise<void>) {
  const responses = frameResponses();
  const server = createServer({ ServerResponse: responses.ServerResponse }, (_request, response) => void handler(response, responses));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Keep-alive, as browsers and load drivers connect: a client that says `Connection: close` itself gets it back.
  const agent = new Agent({ keepAlive: true });
  stop = () =>
    new Promise<void>((resolve) => {
      agent.destroy();
      server.close(() => resolve());
    });
  const { port } = server.address() as AddressInfo;
  const get = () =>
    new Promise<Answer>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path: '/', agent }, (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode!,
            statusMessage: incoming.statusMessage!,
            headers: incoming.headers,
            rawNames: incoming.rawHeaders.filter((_, i) => i % 2 === 0),
            body,
          }),
        );
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  return { get, responses };
}

function frame(response: ServerResponse) {
  const headers = frameHeadersOf(response);
  if (!headers) throw new Error('not a frame response');
  return headers;
}

describe('the Node response class', () => {
  it('writes the frame headers before the response’s own, each once, with the body intact', async () => {
    const { get } = await serveWith((response) => {
      frame(response).setFrameHeader('X-Request-ID', 'req-1');
      frame(response).setFrameHeader('X-Frame-Options', 'DENY');
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 11 });
      response.end('{"ok":true}');
    });
    const answer = await get();
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('req-1');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toBe('{"ok":true}');
    expect(answer.rawNames.slice(0, 3)).toEqual(['X-Request-ID', 'X-Frame-Options', 'Content-Type']);
    expect(answer.rawNames.filter((name) => name.toLowerCase() === 'x-request-id')).toHaveLength(1);
  });

  it('replaces a frame header set twice (the tighter rate limit wins), keeping one line', async () => {
    const { get } = await serveWith((response) => {
      frame(response).setFrameHeader('RateLimit-Remaining', '99');
      frame(response).setFrameHeader('RateLimit-Remaining', '4');
      response.end('x');
    });
    const answer = await get();
    expect(answer.headers['ratelimit-remaining']).toBe('4');
    expect(answer.rawNames.filter((name) => name === 'RateLimit-Remaining')).toHaveLength(1);
  });

  it('lets the response’s own header win over the frame’s of the same name, whatever its case', async () => {
    const { get } = await serveWith((response) => {
      frame(response).setFrameHeader('Content-Security-Policy', "default-src 'none'");
      frame(response).setFrameHeader('Cache-Control', 'no-store');
      response.writeHead(200, 'Fine', [['content-security-policy', "script-src 'self'"]] as unknown as string[]);
      response.end();
    });
    const answer = await get();
    expect(answer.statusMessage).toBe('Fine');
    expect(answer.headers['content-security-policy']).toBe("script-src 'self'");
    expect(answer.rawNames.filter((name) => name.toLowerCase() === 'content-security-policy')).toHaveLength(1);
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('keeps repeated Set-Cookie lines of the response next to the frame headers', async () => {
    const { get } = await serveWith((response) => {
      frame(response).setFrameHeader('X-Request-ID', 'req-2');
      response.writeHead(302, { Location: '/next', 'Set-Cookie': ['a=1; HttpOnly', 'b=2; HttpOnly'] });
      response.end();
    });
    const answer = await get();
    expect(answer.status).toBe(302);
    expect(answer.headers['set-cookie']).toEqual(['a=1; HttpOnly', 'b=2; HttpOnly']);
    expect(answer.headers.location).toBe('/next');
    expect(answer.headers['x-request-id']).toBe('req-2');
  });

  it('adds the frame headers to a response ended without writeHead (Node writes the head itself)', async () => {
    const { get } = await serveWith((response) => {
      frame(response).setFrameHeader('X-Content-Type-Options', 'nosniff');
      response.statusCode = 404;
      response.end('gone');
    });
    const answer = await get();
    expect(answer.status).toBe(404);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toBe('gone');
  });

  it('keeps the connection open normally, and says Connection: close on responses written after drain()', async () => {
    let release: (() => void) | undefined;
    const { get, responses } = await serveWith(async (response) => {
      frame(response).setFrameHeader('X-Request-ID', 'in-flight');
      await new Promise<void>((resolve) => (release = resolve));
      response.end('done');
    });
    const first = get();
    await expect.poll(() => release).toBeDefined();
    release!();
    expect((await first).headers.connection).toBe('keep-alive');

    release = undefined;
    const inFlight = get();
    await expect.poll(() => release).toBeDefined();
    // Shutdown starts while this request is being handled: its answer must still tell the client to let go.
    responses.drain();
    release!();
    const answer = await inFlight;
    expect(answer.headers.connection).toBe('close');
    expect(answer.headers['x-request-id']).toBe('in-flight');
    expect(answer.body).toBe('done');
  });

  it('offers no frame headers once the head is out, and none on a response of another class', async () => {
    const { get } = await serveWith((response) => {
      response.writeHead(204);
      expect(frameHeadersOf(response)).toBeNull();
      response.end();
    });
    expect((await get()).status).toBe(204);
    expect(frameHeadersOf({ setHeader() {} })).toBeNull();
  });
});
