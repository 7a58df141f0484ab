// The test doubles of the outside world (the OpenID providers, the Google and GitHub stand-in) on a free loopback
// port, on the bridges' listener (scripts/bridges/http.ts) with a URL and a redirect added.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../scripts/bridges/http';

export { readText, sendJson } from '../../scripts/bridges/http';

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export async function serveOnLoopback(handler: Handler): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    // A broken test double answers 500 and the test that used it fails; it never takes the test run down.
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, close };
}

export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location });
  response.end();
}
