import type { z } from 'zod';
import { ProviderUnavailableError } from '../../core/errors';

// What the OAuth adapters share: every call to a provider is bounded in time, and every reply is `unknown` until a
// schema accepts it (DESIGN.md style 6). `fetch` is the global one, looked up per call.

/** A provider that does not answer within this is treated as unavailable for that request. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** GET a provider API with the user's access token; rejects on a non-2xx answer or an unexpected shape. */
export async function getProviderJson<T>(url: string, accessToken: string, schema: z.ZodType<T>, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...headers },
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${new URL(url).host} answered ${response.status}`);
  }
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`${new URL(url).host} answered an unexpected shape`);
  return parsed.data;
}

/**
 * arctic's token requests take no AbortSignal, so a provider that never answers would hold the callback open: the
 * wait is bounded here instead (the request itself is abandoned, its answer ignored).
 */
export function withinTimeout<T>(provider: string, pending: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderUnavailableError(provider, new Error('no answer in time'))), PROVIDER_TIMEOUT_MS);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}

/** The authorization code of a callback; its absence is a refused callback. */
export function callbackCode(callback: URLSearchParams): string {
  const code = callback.get('code');
  if (!code) throw new Error('the callback carries no code');
  return code;
}
