// OAuth settings (API.md "OAuth and OpenID Connect"). OIDC providers have dynamic names (`OIDC_<ID>_*`), which
// loadConfig's fixed schema cannot read (DESIGN.md "Settings with dynamic names"), so they are parsed here: still one
// place, still one line naming a bad setting.

export interface OidcProviderConfig {
  /** Lower-case letters, digits and `-`: the path segment of /oauth/:provider. */
  id: string;
  name: string;
  /** Exactly as configured: discovery and every ID token must name this issuer (no mix-up, RFC 9700 §4.4). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** The built-in providers, and the other path segments of /api/v1/oauth/*. */
const RESERVED_IDS = new Set(['google', 'github', 'providers', 'exchange']);
const DEFAULT_SCOPES = 'openid email profile';

/** `OIDC_<ID>_<FIELD>`: the id upper-cased, `-` as `_`. */
export function oidcSettingName(id: string, field: 'ISSUER' | 'CLIENT_ID' | 'CLIENT_SECRET' | 'NAME' | 'SCOPES'): string {
  return `OIDC_${id.toUpperCase().replaceAll('-', '_')}_${field}`;
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function setting(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  // Empty means "not set", as in loadConfig.
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Why an issuer is refused, or null: https://, or http:// on a loopback host outside production (a local test provider). */
function issuerProblem(value: string, production: boolean): string | null {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const loopbackHttp = url?.protocol === 'http:' && isLoopbackHost(url.hostname) && !production;
  if (url && !url.search && !url.hash && !url.username && !url.password && (url.protocol === 'https:' || loopbackHttp)) return null;
  return 'expected an https:// URL without query, fragment or credentials (http:// only on a loopback host outside production)';
}

/**
 * OIDC_PROVIDERS=ID[,ID...] and each one's OIDC_<ID>_* settings, in the order listed, with every problem found as
 * [setting, one-line message] (loadConfig reports them together with its own).
 */
export function parseOidcProviders(env: Record<string, unknown>, production: boolean): { providers: OidcProviderConfig[]; problems: [string, string][] } {
  const ids = (setting(env, 'OIDC_PROVIDERS') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  const problems: [string, string][] = [];
  const providers: OidcProviderConfig[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const refusal = !PROVIDER_ID.test(id)
      ? 'is not an id (lower-case letters, digits and -, at most 32)'
      : RESERVED_IDS.has(id)
        ? 'is reserved'
        : seen.has(id)
          ? 'is listed twice'
          : undefined;
    if (refusal) {
      problems.push(['OIDC_PROVIDERS', `setting OIDC_PROVIDERS is invalid: ${JSON.stringify(id.slice(0, 40))} ${refusal}`]);
      continue;
    }
    seen.add(id);
    const required = (field: 'ISSUER' | 'CLIENT_ID' | 'CLIENT_SECRET') => {
      const name = oidcSettingName(id, field);
      const value = setting(env, name);
      if (!value) problems.push([name, `setting ${name} is missing: OIDC_PROVIDERS lists ${id}`]);
      return value ?? '';
    };
    const issuer = required('ISSUER');
    const issuerRefusal = issuer ? issuerProblem(issuer, production) : null;
    if (issuerRefusal) problems.push([oidcSettingName(id, 'ISSUER'), `setting ${oidcSettingName(id, 'ISSUER')} is invalid: ${issuerRefusal}`]);
    const scopesName = oidcSettingName(id, 'SCOPES');
    const scopes = (setting(env, scopesName) ?? DEFAULT_SCOPES).split(/[\s,]+/).filter(Boolean);
    if (!scopes.includes('openid')) problems.push([scopesName, `setting ${scopesName} is invalid: must include openid`]);
    providers.push({ id, name: setting(env, oidcSettingName(id, 'NAME')) ?? id, issuer, clientId: required('CLIENT_ID'), clientSecret: required('CLIENT_SECRET'), scopes });
  }
  return { providers, problems };
}

/** Where the browser is sent after a sign-in: an absolute http(s) URL without credentials or fragment. */
export function isRedirectUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.hash && !value.includes('#');
}
