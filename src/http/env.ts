import type { Context } from 'hono';
import type { AuthServices } from '../core/auth';
import type { CoreDeps } from '../core/deps';
import type { Logger } from '../core/logger';
import type { MetricsExposition } from '../core/metrics';
import type { RateLimitResult, Role, UserRecord } from '../core/ports';

/** Everything the HTTP app needs: the core's dependencies plus what only the edge knows. */
export interface AppDeps extends CoreDeps {
  auth: AuthServices;
  /** The client's address as this runtime may believe it (socket peer, trusted proxy, or CF-Connecting-IP). */
  clientIp(c: Context<AppEnv>): string | null;
  /** Served at /metrics where the runtime keeps metrics in-process (Node); null elsewhere, and /metrics is 404. */
  metricsExposition: MetricsExposition | null;
  /**
   * Where the runtime takes response headers ahead of the Response (Node: its ServerResponse, which merges them into
   * the response's when it is written, the response's own winning on a clash); absent or null, they go onto the
   * Response through c.header (Workers). See http/frame-headers.ts.
   */
  earlyHeaders?: (c: Context<AppEnv>) => EarlyHeaders | null;
}

/** A response-headers sink outside the Response (Node: runtime/node-frame-response.ts). Set, not append. */
export interface EarlyHeaders {
  setFrameHeader(name: string, value: string): void;
}

export interface AuthContext {
  userId: string;
  sessionId: string;
  jti: string;
  role: Role;
  amr: string[];
  expiresAtSeconds: number;
}

/** A denylist lookup started before the rate limit (prefetchDenylist), for the token's jti and sid. */
export interface DenylistLookup {
  jti: string;
  sid: string;
  revoked: Promise<{ ok: true; value: boolean } | { ok: false; error: unknown }>;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    logger: Logger;
    requestId: string;
    clientIp: string | null;
    auth: AuthContext;
    /** The caller as the database has it now (set by requireUser). */
    user: UserRecord;
    rateLimit: RateLimitResult | undefined;
    denylistLookup: DenylistLookup | undefined;
    /** Set by requestFrame: the runtime's early-headers sink for this request, or null (see http/frame-headers.ts). */
    earlyHeaders: EarlyHeaders | null;
  };
}
