// Test-only: sends the requests arctic (and our adapters) make to Google's and GitHub's real hosts to the local
// stand-in (./social-stub.ts) instead. arctic 3.7.0 has no base-URL option (its Google and GitHub endpoints are
// constants in its source) and calls the global fetch, so the global fetch is wrapped for the test file's lifetime;
// everything else passes through untouched. Runs in Node and inside workerd alike.
import { vi } from 'vitest';

const PROVIDER_HOSTS = new Set(['accounts.google.com', 'oauth2.googleapis.com', 'openidconnect.googleapis.com', 'github.com', 'api.github.com']);

/** The stand-in's address of a URL on one of the providers' hosts (the host becomes the first path segment). */
export function onSocialStub(stubUrl: string, url: string | URL): URL {
  const target = new URL(url);
  return new URL(`${stubUrl}/${target.hostname}${target.pathname}${target.search}`);
}

export function routeProviderHostsTo(stubUrl: string): void {
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'https:' || !PROVIDER_HOSTS.has(url.hostname)) return realFetch(request);
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return realFetch(onSocialStub(stubUrl, url), { method: request.method, headers: request.headers, body, redirect: 'manual' });
  });
}
