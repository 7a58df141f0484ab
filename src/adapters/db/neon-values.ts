// Values across Neon's SQL-over-HTTP wire, turned exactly as @neondatabase/serverless 1.2 under drizzle-orm's neon-http
// driver turned them (neon-http.ts says why we no longer ship that library):
// - parameters become the strings of `params` by node-postgres's prepareValue (the driver bundles it): null and
//   undefined → null, bytes → bytea hex `\x…`, a Date → local time with its offset, an array → a Postgres array
//   literal, an object → its toPostgres() or JSON, anything else → toString();
// - a reply's values, Postgres text output (`Neon-Raw-Text-Output`), become JavaScript by the column's type OID with
//   pg-types' text parsers, less what drizzle's neon-http driver sets back to text (dates, timestamps, intervals,
//   their arrays and numeric[]) for its own column mappers. An OID with no parser stays text.
// Runs inside workerd: no node:* imports, no Buffer.

export type ParamValue = string | null;

/** One parameter as it goes into `params` (the driver's prepareValue, then bytes as bytea hex). */
export function serializeParam(value: unknown): ParamValue {
  const prepared = prepareValue(value);
  return prepared instanceof Uint8Array ? `\\x${toHex(prepared)}` : prepared;
}

function prepareValue(value: unknown, seen: unknown[] = []): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Date) return dateToString(value);
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') {
    const { toPostgres } = value as { toPostgres?: unknown };
    if (typeof toPostgres !== 'function') return JSON.stringify(value);
    if (seen.includes(value)) throw new Error(`circular reference detected while preparing "${String(value)}" for query`);
    seen.push(value);
    return prepareValue(toPostgres.call(value, prepareValue), seen);
  }
  return String(value);
}

function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    if (ArrayBuffer.isView(item)) return `\\\\x${toHex(new Uint8Array(item.buffer, item.byteOffset, item.byteLength))}`;
    return `"${String(prepareValue(item)).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** node-postgres's dateToString: the local wall-clock time and the local offset (UTC on Workers), " BC" before year 1. */
function dateToString(date: Date): string {
  let offsetMinutes = -date.getTimezoneOffset();
  let year = date.getFullYear();
  const bc = year < 1;
  if (bc) year = Math.abs(year) + 1;
  let text = `${pad(year, 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
  text += offsetMinutes < 0 ? '-' : '+';
  offsetMinutes = Math.abs(offsetMinutes);
  text += `${pad(Math.floor(offsetMinutes / 60), 2)}:${pad(offsetMinutes % 60, 2)}`;
  return bc ? `${text} BC` : text;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

type Parser = (text: string) => unknown;

/** The parser of a column's type OID; text stays text where pg-types (as drizzle configures it) has none. */
export function parserFor(oid: number): Parser {
  return PARSERS.get(oid) ?? String;
}

const parseInteger: Parser = (text) => parseInt(text, 10);
const parseBool: Parser = (text) => ['TRUE', 't', 'true', 'y', 'yes', 'on', '1'].includes(text);
const parseJson: Parser = (text) => JSON.parse(text) as unknown;

function parsePoint(text: string): { x: number; y: number } | null {
  if (text[0] !== '(') return null;
  const [x = '', y = ''] = text.substring(1, text.length - 1).split(',');
  return { x: parseFloat(x), y: parseFloat(y) };
}

/** `<(x,y),r>`, by pg-types' own (lenient) rule. */
function parseCircle(text: string): { x: number; y: number; radius: number } | null {
  if (text[0] !== '<' && text[1] !== '(') return null;
  let point = '(';
  let radius = '';
  let pointDone = false;
  for (let i = 2; i < text.length - 1; i++) {
    if (!pointDone) point += text[i];
    if (text[i] === ')') pointDone = true;
    else if (pointDone && text[i] !== ',') radius += text[i];
  }
  const circle = parsePoint(point) as { x: number; y: number; radius: number };
  circle.radius = parseFloat(radius);
  return circle;
}

/** bytea in hex (`\x0102`) or escape format (`\001\\`), as pg-types reads both. */
function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2);
    const bytes: number[] = [];
    // Like Buffer.from(hex, 'hex'): pairs up to the first that is not hex.
    for (let i = 0; i + 1 < hex.length && /^[\da-f]{2}$/i.test(hex.slice(i, i + 2)); i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
    return Uint8Array.from(bytes);
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i++) & 0xff);
    } else if (/^[0-7]{3}$/.test(text.substring(i + 1, i + 4))) {
      bytes.push(parseInt(text.substring(i + 1, i + 4), 8) & 0xff);
      i += 4;
    } else {
      let backslashes = 1;
      while (i + backslashes < text.length && text[i + backslashes] === '\\') backslashes++;
      for (let k = 0; k < Math.floor(backslashes / 2); k++) bytes.push(0x5c);
      // pg-types loops forever on a lone backslash (never in Postgres's output); keep it as a byte instead.
      i += backslashes === 1 ? 1 : Math.floor(backslashes / 2) * 2;
      if (backslashes === 1) bytes.push(0x5c);
    }
  }
  return Uint8Array.from(bytes);
}

/** pg-types' parser of an array literal (`{a,"b c",NULL,{1,2}}`, optionally `[1:2]={…}`), ported as it is. */
class ArrayParser {
  position = 0;
  private readonly entries: unknown[] = [];
  private recorded = '';
  private hasRecorded = false;
  private dimension = 0;

  constructor(
    private readonly source: string,
    private readonly transform: Parser,
  ) {}

  private nextCharacter(): { value: string; escaped: boolean } {
    const value = this.source[this.position++] ?? '';
    return value === '\\' ? { value: this.source[this.position++] ?? '', escaped: true } : { value, escaped: false };
  }

  private newEntry(quoted = false): void {
    if (!this.hasRecorded && !quoted) return;
    this.entries.push(this.recorded === 'NULL' && !quoted ? null : this.transform(this.recorded));
    this.recorded = '';
    this.hasRecorded = false;
  }

  parse(nested = false): unknown[] {
    if (this.source[0] === '[') while (this.position < this.source.length && this.nextCharacter().value !== '=');
    let quoted = false;
    while (this.position < this.source.length) {
      const char = this.nextCharacter();
      if (char.value === '{' && !quoted) {
        this.dimension++;
        if (this.dimension > 1) {
          const inner = new ArrayParser(this.source.substring(this.position - 1), this.transform);
          this.entries.push(inner.parse(true));
          this.position += inner.position - 2;
        }
      } else if (char.value === '}' && !quoted) {
        this.dimension--;
        if (!this.dimension) {
          this.newEntry();
          if (nested) return this.entries;
        }
      } else if (char.value === '"' && !char.escaped) {
        if (quoted) this.newEntry(true);
        quoted = !quoted;
      } else if (char.value === ',' && !quoted) {
        this.newEntry();
      } else {
        this.recorded += char.value;
        this.hasRecorded = true;
      }
    }
    if (this.dimension !== 0) throw new Error('array dimension not balanced');
    return this.entries;
  }
}

const arrayOf =
  (element: Parser): Parser =>
  (text) =>
    text ? new ArrayParser(text, element).parse() : null;

const stringArray = arrayOf(String);

// pg-types' text parsers (lib/textParsers.js, as the driver bundles it) minus drizzle's neon-http overrides.
const PARSERS = new Map<number, Parser>([
  [16, parseBool], // bool
  [17, parseBytea], // bytea
  [20, String], // int8: text, beyond 2^53
  [21, parseInteger], // int2
  [23, parseInteger], // int4
  [26, parseInteger], // oid
  [114, parseJson], // json
  [3802, parseJson], // jsonb
  [600, parsePoint], // point
  [718, parseCircle], // circle
  [700, parseFloat], // float4
  [701, parseFloat], // float8
  [1000, arrayOf(parseBool)],
  [1001, arrayOf(parseBytea)],
  [1005, arrayOf(parseInteger)], // int2[]
  [1007, arrayOf(parseInteger)], // int4[]
  [1028, arrayOf(parseInteger)], // oid[]
  [1016, arrayOf((text) => text.trim())], // int8[]
  [1017, arrayOf(parsePoint)],
  [1021, arrayOf(parseFloat)], // float4[]
  [1022, arrayOf(parseFloat)], // float8[]
  [199, arrayOf(parseJson)], // json[]
  [3807, arrayOf(parseJson)], // jsonb[]
  // char[], varchar[], regproc[], text[], macaddr[], inet[], cidr[], numrange[], uuid[], money[], time[], timetz[]
  ...[1014, 1015, 1008, 1009, 1040, 1041, 651, 3907, 2951, 791, 1183, 1270].map((oid) => [oid, stringArray] as const),
]);
