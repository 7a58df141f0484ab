// Google and GitHub as authgate meets them, on one loopback server: their authorization pages, token endpoints and
// user APIs, speaking their wire formats (Google: errors as 400 JSON; GitHub: errors as 200 JSON, numeric user ids,
// a separate e-mails API). Paths carry the real host first (`/oauth2.googleapis.com/token`), so a test-only fetch
// wrapper (./provider-fetch.ts) can send arctic's requests here unchanged. The user who "signs in" is chosen by
// whoever follows the authorization URL: `stub_user=<base64url JSON>` on it.
import { createHash, randomUUID } from 'node:crypto';
import { serveOnLoopback, readText, redirect, sendJson, type LoopbackServer } from './loopback-server';

export const SOCIAL_CLIENTS = {
  google: { id: 'google-client-id.apps.googleusercontent.com', secret: 'google-client-secret' },
  github: { id: 'Iv1.github-client-id', secret: 'github-client-secret' },
} as const;

interface Grant {
  provider: keyof typeof SOCIAL_CLIENTS;
  redirectUri: string;
  challenge: string | null;
  user: Record<string, unknown>;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export async function startSocialStub(): Promise<LoopbackServer> {
  const grants = new Map<string, Grant>();
  const users = new Map<string, Record<string, unknown>>();

  return serveOnLoopback(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stub');
    const query = url.searchParams;
    const bearer = users.get((request.headers.authorization ?? '').replace(/^(Bearer|token) /i, ''));
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /accounts.google.com/o/oauth2/v2/auth':
      case 'GET /github.com/login/oauth/authorize': {
        const provider = url.pathname.startsWith('/github.com') ? 'github' : 'google';
        const code = randomUUID();
        const user = JSON.parse(Buffer.from(query.get('stub_user') ?? '', 'base64url').toString() || '{}') as Record<string, unknown>;
        grants.set(code, { provider, redirectUri: query.get('redirect_uri') ?? '', challenge: query.get('code_challenge'), user });
        const back = new URL(query.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', query.get('state') ?? '');
        // Google adds parameters of its own to the redirect back.
        if (provider === 'google') back.searchParams.set('authuser', '0');
        return redirect(response, back.href);
      }
      case 'POST /oauth2.googleapis.com/token':
      case 'POST /github.com/login/oauth/access_token': {
        const provider = url.pathname.startsWith('/github.com') ? 'github' : 'google';
        const form = new URLSearchParams(await readText(request));
        const grant = grants.get(form.get('code') ?? '');
        grants.delete(form.get('code') ?? '');
        const client = SOCIAL_CLIENTS[provider];
        const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        const ok =
          grant?.provider === provider && basic === `${client.id}:${client.secret}` && form.get('redirect_uri') === grant.redirectUri &&
          (grant.challenge === null || s256(form.get('code_verifier') ?? '') === grant.challenge);
        if (!ok) {
          return provider === 'github'
            ? sendJson(response, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' })
            : sendJson(response, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        }
        const accessToken = `${provider === 'github' ? 'gho_' : 'ya29.'}${randomUUID()}`;
        users.set(accessToken, grant.user);
        return provider === 'github'
          ? sendJson(response, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' })
          : sendJson(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3599, scope: 'openid email profile', id_token: 'not.used.here' });
      }
      case 'GET /openidconnect.googleapis.com/v1/userinfo':
        return bearer ? sendJson(response, 200, bearer) : sendJson(response, 401, { error: 'invalid_request' });
      case 'GET /api.github.com/user':
      case 'GET /api.github.com/user/emails': {
        // GitHub refuses API calls without a User-Agent.
        if (!request.headers['user-agent']) return sendJson(response, 403, { message: 'Request forbidden by administrative rules.' });
        if (!bearer) return sendJson(response, 401, { message: 'Bad credentials' });
        const { emails = [], ...profile } = bearer;
        return sendJson(response, 200, url.pathname.endsWith('/emails') ? emails : { ...profile, email: null });
      }
      default:
        return sendJson(response, 404, { message: 'Not Found' });
    }
  });
}
