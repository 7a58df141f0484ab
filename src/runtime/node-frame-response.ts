import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { AppEnv, EarlyHeaders } from '../http/env';

// The Node server's ServerResponse (http.createServer's `ServerResponse` option). The request frame's headers (the
// request id, the security headers, the rate-limit headers, Cache-Control) are kept here as a flat [name, value, …]
// list and handed to Node together with the Response's own headers in writeHead's raw-array form, so Node formats
// each once: no setHeader (which validates, lower-cases and files each header in a per-response dictionary before
// writeHead walks it again). About a tenth of a /health request's CPU (bench/README.md, "Where a /health request
// goes"). The Response's headers win on a name clash (an HTML page's own CSP), as they did with setHeader.
//
// It also carries shutdown's `Connection: close`: once the server drains, every response written from then on (the
// in-flight ones included, since their headers are not yet out) tells the client to let go of the connection.

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/** Lower-case names of the headers a writeHead call sets itself, to drop the frame's of the same name. */
function namesOf(headers: Headers): string[] {
  const names: string[] = [];
  if (!headers) return names;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) for (const entry of headers as unknown as [string, unknown][]) names.push(entry[0].toLowerCase());
    else for (let i = 0; i < headers.length; i += 2) names.push(String(headers[i]).toLowerCase());
  } else for (const name in headers) names.push(name.toLowerCase());
  return names;
}

/** The headers as one flat [name, value, …] list, after `first`. */
function appendFlat(first: OutgoingHttpHeader[], headers: Headers): OutgoingHttpHeader[] {
  if (!headers) return first;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) for (const [name, value] of headers as unknown as [string, OutgoingHttpHeader][]) first.push(name, value);
    else for (const item of headers) first.push(item);
  } else {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) first.push(name, value);
    }
  }
  return first;
}

export interface FrameResponses {
  /** The class to give http.createServer as its `ServerResponse`. */
  ServerResponse: typeof ServerResponse;
  /** From now on every response says `Connection: close`. */
  drain(): void;
}

export function frameResponses(): FrameResponses {
  let draining = false;

  class FrameResponse extends ServerResponse<IncomingMessage> implements EarlyHeaders {
    /** [Name, value, Name, value, …]; undefined until the first frame header. */
    #frame: string[] | undefined;

    setFrameHeader(name: string, value: string): void {
      const frame = (this.#frame ??= []);
      // Set, not append: a later rule's headers replace an earlier one's (rate-limit.ts shows the tighter limit). The
      // callers spell each header one way (frame.ts, rate-limit.ts, app.ts), so the names compare as written.
      for (let i = 0; i < frame.length; i += 2) {
        if (frame[i] === name) {
          frame[i + 1] = value;
          return;
        }
      }
      frame.push(name, value);
    }

    override writeHead(statusCode: number, reasonOrHeaders?: string | Headers, maybeHeaders?: Headers): this {
      const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
      const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : (maybeHeaders ?? reasonOrHeaders);
      const frame = this.#frame;
      if (!frame && !draining) return reason === undefined ? super.writeHead(statusCode, headers) : super.writeHead(statusCode, reason, headers);
      const own = namesOf(headers);
      let flat: OutgoingHttpHeader[] = [];
      if (frame) for (let i = 0; i < frame.length; i += 2) if (!own.includes(frame[i]!.toLowerCase())) flat.push(frame[i]!, frame[i + 1]!);
      if (draining && !own.includes('connection')) flat.push('Connection', 'close');
      if (flat.length === 0) return reason === undefined ? super.writeHead(statusCode, headers) : super.writeHead(statusCode, reason, headers);
      flat = appendFlat(flat, headers);
      return reason === undefined ? super.writeHead(statusCode, flat) : super.writeHead(statusCode, reason, flat);
    }
  }

  return {
    ServerResponse: FrameResponse as typeof ServerResponse,
    drain: () => void (draining = true),
  };
}

/** The frame-header sink of a response made by a FrameResponse class, while its headers can still change. */
export function frameHeadersOf(outgoing: unknown): EarlyHeaders | null {
  if (outgoing instanceof ServerResponse && 'setFrameHeader' in outgoing && !outgoing.headersSent) return outgoing as ServerResponse & EarlyHeaders;
  return null;
}

/**
 * AppDeps.earlyHeaders on Node: the ServerResponse @hono/node-server hands the app in c.env, when the server was made
 * with our response class (node-listen.ts). Null otherwise (app.request in a script, another server), and the frame's
 * headers go onto the Response instead.
 */
export function nodeEarlyHeaders(c: Context<AppEnv>): EarlyHeaders | null {
  return frameHeadersOf((c.env as { outgoing?: unknown } | undefined)?.outgoing);
}
