import type { SignInMethod } from './sign-in';

// The domain says what happened; an adapter decides where it goes (prom-client on Node, nothing on Workers, where
// a scrape endpoint would see one isolate out of many). No argument ever carries a user id, an e-mail or a token:
// labels are bounded sets, so a metric cannot leak who signed in nor grow without limit.

export type LoginResult = 'success' | 'failure';
export type TokenRefreshResult = 'rotated' | 'grace' | 'reuse' | 'invalid';

export interface HttpRequestObservation {
  method: string;
  /** The route pattern (`/api/v1/auth/verify-email/:token`) or `unmatched`; never a raw path. */
  route: string;
  statusCode: number;
  durationSeconds: number;
}

export interface Metrics {
  loginAttempt(method: SignInMethod, result: LoginResult): void;
  lockout(): void;
  /** `rule` is the rate-limit bucket (`global`, `auth:login`, ...). */
  rateLimitHit(rule: string): void;
  tokenRefresh(result: TokenRefreshResult): void;
  httpRequest(observation: HttpRequestObservation): void;
}

/** What a runtime that can be scraped serves at `/metrics` (Node: prom-client's text format). */
export interface MetricsExposition {
  contentType: string;
  render(): Promise<string>;
}

export const noopMetrics: Metrics = {
  loginAttempt() {},
  lockout() {},
  rateLimitHit() {},
  tokenRefresh() {},
  httpRequest() {},
};
