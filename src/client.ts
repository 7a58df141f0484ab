import { hc } from 'hono/client';
import type { AppType } from './app';

// The typed client for frontends and services: every path, body and response is checked against the app's routes.

export type { AppType };

export interface ClientOptions {
  /** Called before each request; return the current access token to send it as a bearer token. */
  accessToken?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
}

export function createClient(baseUrl: string, options: ClientOptions = {}) {
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: async (): Promise<Record<string, string>> => {
      const token = await options.accessToken?.();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
}

export type AuthgateClient = ReturnType<typeof createClient>;
