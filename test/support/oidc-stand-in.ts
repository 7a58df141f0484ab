// A small hand-written OpenID provider that mints the ID tokens a real one never would, so the tests can show each
// is refused: another issuer (mix-up), another audience, expired, signed by a key not in its JWKS, a wrong or missing
// nonce, unsigned. Which one a sign-in gets is chosen by whoever follows the authorization URL: `standin_mode=` on
// it (and `standin_sub=`, `standin_email=`). Everything else is done properly (PKCE checked, codes used once), and
// `valid` mints a correct token, the positive control that shows the other modes fail for their one defect.
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, base64url } from 'jose';
import { serveOnLoopback, readText, redirect, sendJson, type LoopbackServer } from './loopback-server';

export type StandInMode = 'valid' | 'wrong-iss' | 'wrong-aud' | 'expired' | 'foreign-key' | 'wrong-nonce' | 'no-nonce' | 'unsigned';

interface Grant {
  clientId: string;
  redirectUri: string;
  nonce: string | null;
  challenge: string;
  mode: StandInMode;
  sub: string;
  email: string;
}

const KID = 'stand-in-key';

export async function startOidcStandIn(): Promise<LoopbackServer> {
  const own = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(own.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
  const grants = new Map<string, Grant>();
  const userinfo = new Map<string, { sub: string; email: string }>();
  let issuer = '';

  async function idToken(grant: Grant): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { sub: grant.sub, email: grant.email, email_verified: true, nonce: grant.nonce };
    if (grant.mode === 'wrong-nonce') claims.nonce = `not-${grant.nonce}`;
    if (grant.mode === 'no-nonce') delete claims.nonce;
    if (grant.mode === 'unsigned') {
      const encode = (value: object) => base64url.encode(JSON.stringify(value));
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, iss: issuer, aud: grant.clientId, iat: now, exp: now + 300 })}.`;
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(grant.mode === 'wrong-iss' ? 'https://another-issuer.example' : issuer)
      .setAudience(grant.mode === 'wrong-aud' ? 'another-client' : grant.clientId)
      .setIssuedAt(grant.mode === 'expired' ? now - 900 : now)
      .setExpirationTime(grant.mode === 'expired' ? now - 600 : now + 300)
      .sign(grant.mode === 'foreign-key' ? foreign.privateKey : own.privateKey);
  }

  const server = await serveOnLoopback(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const query = url.searchParams;
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /.well-known/openid-configuration':
        return sendJson(response, 200, {
          issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
          userinfo_endpoint: `${issuer}/userinfo`, response_types_supported: ['code'], subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
        });
      case 'GET /jwks':
        return sendJson(response, 200, jwks);
      case 'GET /authorize': {
        const code = randomUUID();
        grants.set(code, {
          clientId: query.get('client_id') ?? '', redirectUri: query.get('redirect_uri') ?? '', nonce: query.get('nonce'),
          challenge: query.get('code_challenge') ?? '', mode: (query.get('standin_mode') ?? 'valid') as StandInMode,
          sub: query.get('standin_sub') ?? randomUUID(), email: query.get('standin_email') ?? `${randomUUID()}@stand-in.example`,
        });
        const back = new URL(query.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', query.get('state') ?? '');
        return redirect(response, back.href);
      }
      case 'POST /token': {
        const form = new URLSearchParams(await readText(request));
        const grant = grants.get(form.get('code') ?? '');
        grants.delete(form.get('code') ?? '');
        // RFC 6749 §2.3.1: both halves of the Basic credentials are form-urlencoded first.
        const [clientId = ''] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
        const verifier = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (!grant || verifier !== grant.challenge || form.get('redirect_uri') !== grant.redirectUri || clientId !== grant.clientId) {
          return sendJson(response, 400, { error: 'invalid_grant' });
        }
        const accessToken = randomUUID();
        userinfo.set(accessToken, { sub: grant.sub, email: grant.email });
        return sendJson(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: await idToken(grant) });
      }
      case 'GET /userinfo': {
        const user = userinfo.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
        return user ? sendJson(response, 200, { ...user, email_verified: true }) : sendJson(response, 401, { error: 'invalid_token' });
      }
      default:
        return sendJson(response, 404, { error: 'not_found' });
    }
  });
  issuer = server.url;
  return server;
}
