import fc from 'fast-check';

// What the fuzz test (test/http/fuzz.test.ts) needs from the service's own OpenAPI 3.1 document: a validator for the
// subset of JSON Schema the document uses, and fast-check arbitraries for valid and hostile values built from it.
// Hand-written rather than Ajv because Ajv compiles validators with `new Function`, which workerd forbids, and the
// document uses few keywords (a keyword it does not know fails loudly, so a new one cannot slip through unchecked).

export type JsonSchema = { [keyword: string]: unknown };
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }>; required?: boolean };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }>; headers?: Record<string, unknown> }>;
  security?: unknown[];
}

const KNOWN = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'format', 'anyOf', 'oneOf', 'allOf',
  // Annotations: no say in validity.
  'example', 'examples', 'description', 'default', 'title', 'deprecated', 'readOnly', 'writeOnly',
]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === 'string'; depth++) {
    if (depth > 20) throw new Error(`$ref loop at ${String(current.$ref)}`);
    const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref as string)?.[1];
    const target = name ? doc.components?.schemas?.[name] : undefined;
    if (!target) throw new Error(`unresolvable $ref ${String(current.$ref)}`);
    current = target;
  }
  return current;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every way `value` breaks `schema` ([] when valid), each naming the JSON path. */
export function validate(doc: OpenApiDocument, schema: JsonSchema, value: unknown, path = '$'): string[] {
  const s = resolve(doc, schema);
  for (const keyword of Object.keys(s)) if (!KNOWN.has(keyword)) throw new Error(`validator does not know keyword ${keyword} (at ${path})`);
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  if (s.allOf) for (const part of s.allOf as JsonSchema[]) errors.push(...validate(doc, part, value, path));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (!s[key]) continue;
    const results = (s[key] as JsonSchema[]).map((part) => validate(doc, part, value, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 0) fail(`matches none of ${key}: ${results.map((r) => r.join('; ')).join(' | ')}`);
    if (key === 'oneOf' && passing > 1) fail(`matches ${passing} branches of oneOf`);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [...errors, `${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (s.enum && !(s.enum as unknown[]).some((option) => option === value)) fail(`${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== value) fail(`expected ${JSON.stringify(s.const)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) fail(`does not match ${s.pattern}`);
    if (s.format === 'date-time' && !DATE_TIME.test(value)) fail(`not a date-time: ${value}`);
    if (s.format === 'date' && !DATE.test(value)) fail(`not a date: ${value}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`above ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.items) value.forEach((item, i) => errors.push(...validate(doc, s.items as JsonSchema, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (s.required ?? []) as string[]) if (!(name in object)) fail(`missing required ${name}`);
    for (const [name, property] of Object.entries(object)) {
      if (properties[name]) errors.push(...validate(doc, properties[name], property, `${path}.${name}`));
      else if (s.additionalProperties === false) fail(`unexpected property ${name}`);
      else if (typeof s.additionalProperties === 'object') errors.push(...validate(doc, s.additionalProperties as JsonSchema, property, `${path}.${name}`));
    }
  }
  return errors;
}

/** Strings that have broken parsers, databases, normalisers and logs before. */
export const HOSTILE_STRINGS = [
  '', ' ', '\t', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uDBFFy', '\uDC00\uD800', '\u202Egnp.exe', 'שלום עולם', 'مرحبا',
  '\u0301', 'e\u0301\u0301\u0301\u0301', 'Z̷̢̛̖̗̔a̵̧̛͎l̸̢̰̈́g̷͎̈o̴̧̍', '👩‍👩‍👧‍👦', '🏳️‍🌈', '\uFEFF', '\u200B\u200C\u200D', '\uFFFF', '\uFFFE', '\u{10FFFF}',
  'ＡＤＭＩＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'ǅ', 'ß', 'İstanbul', 'ﬀ', '\r\nX-Injected: 1', '%00', '%', '%zz', '../../etc/passwd',
  "' OR '1'='1' --", '"; DROP TABLE users; --', '${jndi:ldap://x}', '<script>alert(1)</script>', '{{7*7}}', 'null', 'true',
  '0', '-1', '1e309', 'NaN', 'Infinity', '__proto__', 'constructor', 'prototype', 'toString', 'a@b', '@', 'a@@b.c',
  'user@[127.0.0.1]', '"quoted"@example.com', 'x'.repeat(255) + '@example.com', 'a'.repeat(5000), '\\', '\\u0000', '\u0085',
];

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Hostile strings: the list above, arbitrary code units (lone surrogates, NUL, controls), graphemes, long runs. */
export function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'é', '😀', '\u0000', '%'), fc.integer({ min: 200, max: 3000 })).map(([c, n]) => c.repeat(n)) },
  );
}

/** Any JSON value, hostile strings included: what "a wrong type" can be. */
export function anyJson(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(hostileString(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(2 ** 53 + 1, -0, 1e308, -1e308, 0.1));
  return fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), fc.dictionary(hostileString(), leaf, { maxKeys: 4 }));
}

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = Math.min(typeof s.maxLength === 'number' ? s.maxLength : 64, minLength + 64);
  if (s.format === 'email') {
    return fc.oneof(fc.emailAddress(), fc.constantFrom('Ada.Lovelace@Example.com', '  ada@example.com  ', 'ＡＤＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'müller@bücher.de'));
  }
  if (s.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString().slice(0, 10));
  if (typeof s.pattern === 'string') {
    const pattern = new RegExp(s.pattern, 'u');
    return fc.stringMatching(pattern).filter((v) => v.length >= minLength && v.length <= maxLength);
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ unit: 'grapheme', minLength, maxLength }),
    hostileString().filter((v) => [...v].length >= minLength && [...v].length <= maxLength),
  );
}

/** Values valid under `schema` (as far as the document says: the service may still refuse them on its rules). */
export function validValue(doc: OpenApiDocument, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  if (s.anyOf || s.oneOf) return fc.oneof(...((s.anyOf ?? s.oneOf) as JsonSchema[]).map((part) => validValue(doc, part, depth + 1)));
  if (s.allOf) return validValue(doc, Object.assign({}, ...(s.allOf as JsonSchema[]).map((part) => resolve(doc, part))), depth + 1);
  const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string | undefined];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'string':
          return stringFor(s);
        case 'integer':
        case 'number': {
          const min = typeof s.minimum === 'number' ? s.minimum : -1e6;
          const max = typeof s.maximum === 'number' ? s.maximum : 1e6;
          return type === 'integer' ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
        }
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array': {
          const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
          const maxLength = Math.min(typeof s.maxItems === 'number' ? s.maxItems : 3, minLength + 3);
          return depth > 4 ? fc.constant([]) : fc.array(validValue(doc, (s.items ?? {}) as JsonSchema, depth + 1), { minLength, maxLength });
        }
        case 'object':
        case undefined: {
          const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
          const required = new Set((s.required ?? []) as string[]);
          if (depth > 4) return fc.constant({});
          const shape = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, validValue(doc, property, depth + 1)]));
          return fc.record(shape, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
        }
        default:
          throw new Error(`no generator for type ${type}`);
      }
    }),
  );
}

/** A valid object broken one way: a property of the wrong type or hostile, a required one missing, extra ones. */
export function mutatedValue(doc: OpenApiDocument, schema: JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const names = Object.keys((s.properties ?? {}) as object);
  return fc
    .tuple(validValue(doc, schema), fc.nat(), fc.constantFrom('wrong-type', 'hostile', 'missing', 'extra', 'proto', 'huge', 'empty'), anyJson(), hostileString())
    .map(([valid, pick, how, junk, hostile]) => {
      if (typeOf(valid) !== 'object') return how === 'hostile' ? hostile : junk;
      const value = { ...(valid as Record<string, unknown>) };
      const name = names.length > 0 ? names[pick % names.length]! : 'field';
      switch (how) {
        case 'wrong-type':
          value[name] = junk;
          break;
        case 'hostile':
          value[name] = hostile;
          break;
        case 'missing':
          delete value[name];
          break;
        case 'extra':
          value[hostile || 'extra'] = junk;
          value.role = 'SUPER_ADMIN';
          value.emailVerified = true;
          break;
        case 'proto':
        {
          const rest = JSON.stringify(value).slice(1, -1);
          return JSON.parse(`{"__proto__":{"role":"SUPER_ADMIN"},"constructor":{"prototype":{"x":1}}${rest ? `,${rest}` : ''}}`) as unknown;
        }
        case 'huge':
          value[name] = 'A'.repeat(15_000);
          break;
        case 'empty':
          return pick % 2 === 0 ? {} : [];
      }
      return value;
    });
}
