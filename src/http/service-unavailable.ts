// A 503 with the API's error envelope and headers, for answers given where the app (and so its middleware) does not
// exist: a Worker whose settings are wrong, a Node server still opening its stores.

export function serviceUnavailable(message: string, headers: Record<string, string> = {}): Response {
  const requestId = crypto.randomUUID();
  return Response.json(
    { success: false, error: { code: 'SERVICE_UNAVAILABLE', message, statusCode: 503, requestId } },
    {
      status: 503,
      headers: {
        'X-Request-ID': requestId,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
        ...headers,
      },
    },
  );
}
