// Values the servers' globalSetup (test/support/global-setup.ts) hands to test files through `inject()`,
// on Node and inside workerd alike.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the `postgres` database on the test PostgreSQL server. */
    databaseUrl: string;
    /** redis:// URL of the test Redis server. */
    redisUrl: string;
    /** HTTP endpoint that speaks Neon's SQL-over-HTTP protocol, backed by the test PostgreSQL server. */
    neonFetchEndpoint: string;
    /**
     * The `postgres` database as Workers reach it: a loopback connection string on the Neon bridge's port, which
     * src/adapters/db/neon-http.ts sends to the bridge over plain HTTP (as with `npm run dev:bridges`).
     */
    neonServerUrl: string;
    /** Base URL of the Upstash-compatible REST bridge in front of the test Redis server. */
    upstashUrl: string;
    /** Bearer token the Upstash bridge requires. */
    upstashToken: string;
    /** A migrated database to clone with CREATE DATABASE ... TEMPLATE. */
    templateDatabase: string;
    /** Where the HTTP mail transport delivers in tests (test/support/mail-sink.ts), and where tests read it back. */
    mailSinkUrl: string;
    mailSinkMessagesUrl: string;
    /** Issuer of the real OpenID provider (oidc-provider) on loopback (test/support/oidc-provider.ts). */
    oidcIssuer: string;
    /** Issuer of the OpenID stand-in that mints crafted ID tokens (test/support/oidc-stand-in.ts). */
    oidcStandInIssuer: string;
    /** The Google and GitHub stand-in; paths start with the real host (test/support/social-stub.ts). */
    socialStubUrl: string;
    /** Why the servers could not be started (binaries missing outside CI); null when they run. */
    servicesMissing: string | null;
  }
}
