import { recordAudit } from '../audit';
import { randomToken } from '../crypto';
import type { CoreDeps, RequestContext } from '../deps';
import { AppError, ProviderUnavailableError, StoreUnavailableError } from '../errors';
import { describeError } from '../logger';
import { consumeOneTimeSecret, issueOneTimeSecret } from '../one-time-secrets';
import type { OAuthIdentity, OAuthProvider } from '../ports';
import { resolveOAuthAccount } from './accounts';
import { decodeAttempt, encodeAttempt, OAUTH_STATE, type BrowserAttempt } from './attempt';
import { issueExchangeCode } from './exchange';
import { OAuthFailure, type OAuthFailureReason } from './failure';
import { providerOf } from './providers';
import { redirectTarget, withParameter } from './redirects';

/** GET /oauth/:provider: a fresh attempt (state, PKCE verifier, nonce) and the provider's authorization URL. */
export async function startOAuth(deps: CoreDeps, providerId: string, redirectTo: string | undefined) {
  const provider = providerOf(deps, providerId);
  const target = redirectTarget(deps.config.oauth, redirectTo);
  if (target === null) {
    throw new AppError('VALIDATION_ERROR', 'redirectTo is not an allowed return URL', [{ path: 'redirectTo', message: 'not OAUTH_REDIRECT_URL or one of OAUTH_ALLOWED_REDIRECTS' }]);
  }
  const { token: state, expiresIn } = await issueOneTimeSecret(deps, OAUTH_STATE, { provider: provider.id });
  const attempt: BrowserAttempt = { provider: provider.id, state, codeVerifier: randomToken(deps.random), nonce: randomToken(deps.random), redirectTo: target };
  try {
    const url = await provider.authorizationUrl(attempt);
    return { location: url.href, cookie: encodeAttempt(attempt), cookieMaxAgeSeconds: expiresIn };
  } catch (error) {
    if (error instanceof ProviderUnavailableError) throw new AppError('SERVICE_UNAVAILABLE', `Sign-in with ${provider.name} is unavailable right now`);
    throw error;
  }
}

/**
 * GET /oauth/:provider/callback: every check once, in an order that spends nothing on a bad request (the state is
 * checked against the browser's cookie and spent before the provider's code is redeemed), then the account, then a
 * one-time exchange code. Every outcome is a URL: the code, or `error=` and no code; every failure is audited.
 */
export async function finishOAuthCallback(deps: CoreDeps, providerId: string, params: URLSearchParams, cookie: string | undefined, ctx: RequestContext): Promise<string> {
  const provider = providerOf(deps, providerId);
  const attempt = decodeAttempt(cookie);
  // The return URL comes from our own cookie and is checked again; without one, the configured default.
  const target = (attempt && redirectTarget(deps.config.oauth, attempt.redirectTo)) ?? deps.config.oauth.redirectUrl;
  try {
    const identity = await verifiedIdentity(deps, provider, params, attempt);
    const { user, isNewUser } = await resolveOAuthAccount(deps, provider.id, identity, ctx);
    const code = await issueExchangeCode(deps, user, { isNewUser, provider: provider.id });
    await recordAudit(deps, ctx, { action: 'OAUTH_LOGIN', outcome: 'success', userId: user.id, metadata: { provider: provider.id, isNewUser } });
    return withParameter(target, 'code', code);
  } catch (error) {
    const reason = failureReason(deps, provider.id, error);
    await recordAudit(deps, ctx, { action: 'OAUTH_LOGIN', outcome: 'failure', userId: null, metadata: { provider: provider.id, reason } }).catch(
      (auditError: unknown) => deps.logger.error('audit of a failed oauth sign-in failed', { err: describeError(auditError) }),
    );
    return withParameter(target, 'error', reason);
  }
}

async function verifiedIdentity(deps: CoreDeps, provider: OAuthProvider, params: URLSearchParams, attempt: BrowserAttempt | null): Promise<OAuthIdentity> {
  // CSRF and injection (RFC 9700 §4.7): the state must be this browser's, for this provider.
  if (!attempt || attempt.provider !== provider.id || params.get('state') !== attempt.state) throw new OAuthFailure('invalid_state');
  // Spent now, whatever follows: a state works once.
  const stored = await consumeOneTimeSecret(deps, OAUTH_STATE, attempt.state);
  if (stored?.provider !== provider.id) throw new OAuthFailure('invalid_state');
  // The provider's error text is not passed on: it arrives in a URL anyone can craft.
  if (params.has('error')) throw new OAuthFailure('access_denied');
  try {
    return await provider.redeem(params, attempt);
  } catch (error) {
    if (error instanceof ProviderUnavailableError) throw new OAuthFailure('temporarily_unavailable');
    deps.logger.warn('oauth provider response refused', { provider: provider.id, err: describeError(error) });
    throw new OAuthFailure('provider_error');
  }
}

function failureReason(deps: CoreDeps, provider: string, error: unknown): OAuthFailureReason {
  if (error instanceof OAuthFailure) return error.reason;
  deps.logger.error('oauth callback failed', { provider, err: describeError(error) });
  return error instanceof StoreUnavailableError ? 'temporarily_unavailable' : 'server_error';
}
