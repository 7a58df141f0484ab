import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../core/errors';
import type { AppEnv } from '../env';

export const MAX_BODY_BYTES = 16 * 1024;

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${MAX_BODY_BYTES} bytes`);

/** A body without a Content-Length (chunked): counted as it streams in, refused at the 16 KiB mark. */
const limitStreamed = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw tooLarge();
  },
});

/**
 * API.md: JSON in. A body-carrying request must be application/json (else 415) and at most 16 KiB (else 413).
 * Bodiless POSTs (logout, verify-email, ...) may omit the content type. `then` runs at once for a request without a
 * body, and under the 16-KiB limit for one with a JSON body; any other body is refused before `then` runs. (Run by
 * the request gate, gate.ts.)
 */
export function withJsonBodyRules(c: Context<AppEnv>, then: () => Promise<void>): Promise<void> {
  const method = c.req.method;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return then();
  const headers = c.req.raw.headers;
  const type = headers.get('content-type');
  const length = headers.get('content-length');
  // Chunked: no declared length; the body is counted as it streams in.
  const streamed = headers.has('transfer-encoding');
  if (type === null && !streamed && (length === null || length.trim() === '0')) return then();
  const mediaType = (type ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json');
  }
  // A declared length is the body's length (the HTTP parser reads exactly that many bytes), so it is judged from the
  // header, as hono's bodyLimit would, but without touching the request's body stream: on Node that access builds a
  // web Request around the socket, and the JSON is then read through it instead of straight off the socket.
  if (length !== null && !streamed) {
    if (Number.parseInt(length, 10) > MAX_BODY_BYTES) throw tooLarge();
    return then();
  }
  return limitStreamed(c, then) as Promise<void>;
}
