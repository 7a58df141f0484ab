// API.md "Conventions" hold for every route, but each route's createRoute() lists only its own outcomes, so the
// generated document left out answers the service does give (found by the fuzz test, test/http/fuzz.test.ts): a
// client generated from it had no type for a 415 from /auth/logout. This adds them where they apply.

type Operation = { parameters?: unknown[]; requestBody?: unknown; security?: unknown[]; responses?: Record<string, unknown> };

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const DESCRIPTIONS: Record<number, string> = {
  400: 'Schema failure (a parameter or the body), or malformed JSON',
  401: 'No, a bad, an expired or a revoked access token',
  413: 'Body over 16 KiB',
  415: 'A body that is not application/json',
  429: 'Rate limited (every route is under the global limit); Retry-After says when to retry',
};

function statusesFor(method: string, operation: Operation): number[] {
  const statuses = [429];
  if (operation.security && operation.security.length > 0) statuses.push(401);
  // Any request with a body goes through the body checks (jsonBody middleware), a bodiless POST included.
  if (method !== 'get' && method !== 'head') statuses.push(400, 413, 415);
  if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody) statuses.push(400);
  return statuses;
}

/** The document with the conventional error answers added to every operation that can give them. */
export function withConventionalResponses<T extends { paths?: object }>(document: T): T {
  for (const methods of Object.values((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      const responses = (operation.responses ??= {});
      for (const status of statusesFor(method, operation)) {
        responses[String(status)] ??= { description: DESCRIPTIONS[status], content: { 'application/json': { schema: ERROR_REF } } };
      }
    }
  }
  return document;
}
