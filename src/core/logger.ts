// Structured JSON logs. Secrets never reach a log line: any field whose name looks like one is redacted,
// however deep it sits.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Whether a line at this level would be written: callers skip building fields that would be thrown away. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|otp|code|backup|private|mfa_?key|credential/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : redact(v, depth + 1);
  return out;
}

export function createJsonLogger(level: LogLevel, write: (line: string) => void = (line) => console.log(line)): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (order[at] < order[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...(redact(fields ?? {}) as object) }));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    enabled: (at) => order[at] >= order[level],
  };
}

/**
 * An error for a log line without the values it may carry: drizzle's "Failed query" message lists the query's
 * parameters (e-mails, password and token hashes), so everything from `params:` on is dropped, causes included.
 */
export function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error.slice(0, 200) : 'non-Error value thrown';
  const message = error.message.replace(/\s*params:[\s\S]*$/i, '').slice(0, 500);
  const cause = depth < 3 && error.cause !== undefined ? `; cause: ${describeError(error.cause, depth + 1)}` : '';
  return `${error.name}: ${message}${cause}`;
}

/** The stack's frames only: its first line repeats the message, which may carry values. */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack.split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 12).join('\n');
}
