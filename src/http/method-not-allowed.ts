import type { Hono } from 'hono';

/**
 * Hono answers an unknown method on a known path with 404; API.md wants 405 with an Allow header. This matches the
 * request path against the registered route patterns to tell the two apart.
 */
export function allowedMethodsFinder(app: Pick<Hono, 'routes'>) {
  const patterns = new Map<string, { regex: RegExp; methods: Set<string> }>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const source = '^' + route.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, '[^/]+') + '/?$';
    const entry = patterns.get(source) ?? { regex: new RegExp(source), methods: new Set<string>() };
    entry.methods.add(route.method.toUpperCase());
    patterns.set(source, entry);
  }
  return (path: string): string[] => {
    const methods = new Set<string>();
    for (const { regex, methods: m } of patterns.values()) if (regex.test(path)) m.forEach((x) => methods.add(x));
    return [...methods];
  };
}
