import { describe, expect, it } from 'vitest';
import { createJsonLogger, describeError, redact, stackFrames } from '../../src/core/logger';

describe('logging without secrets', () => {
  it('redacts secret-looking fields at any depth', () => {
    expect(redact({ password: 'p', nested: { refreshToken: 't', list: [{ code: '123456' }] }, email: 'a@example.com' })).toEqual({
      password: '[REDACTED]',
      nested: { refreshToken: '[REDACTED]', list: [{ code: '[REDACTED]' }] },
      email: 'a@example.com',
    });
  });

  it("drops a failed query's parameters from the message, its cause's and the stack", () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const error = new Error('Failed query: select * from users where email = $1\nparams: ada@example.com,$argon2id$v=19$m=19456', { cause });
    const described = describeError(error);
    expect(described).toBe('Error: Failed query: select * from users where email = $1; cause: Error: connect ECONNREFUSED 127.0.0.1:5432');
    expect(stackFrames(error)).not.toContain('ada@example.com');
  });

  it('writes one JSON line per entry at or above the level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger('warn', (line) => lines.push(line));
    logger.info('hidden');
    logger.warn('shown', { authorization: 'Bearer x', userId: 'u1' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'shown', authorization: '[REDACTED]', userId: 'u1' });
  });
});
