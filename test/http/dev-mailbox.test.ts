import { createHarness } from '#harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness';
import { expectError, json, registerUser, waitForMail } from './helpers';

let dev: Harness;
let production: Harness;
beforeAll(async () => {
  [dev, production] = await Promise.all([createHarness(), createHarness({ NODE_ENV: 'production' })]);
});
afterAll(async () => {
  await Promise.all([dev?.close(), production?.close()]);
});

describe('GET /dev/mailbox', () => {
  it('shows the mails sent to an address, newest first, in development on Node only', async () => {
    const { email } = await registerUser(dev);
    const response = await dev.request(`/dev/mailbox?to=${encodeURIComponent(email.toUpperCase())}`);
    if (dev.runtime === 'workerd') {
      // Workers never serve the dev mailbox, whatever NODE_ENV says.
      await expectError(response, 404, 'NOT_FOUND');
      return;
    }
    await waitForMail(dev, email, /confirm/i);
    const { messages } = await json(await dev.request(`/dev/mailbox?to=${encodeURIComponent(email)}`));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: email, subject: 'Confirm your e-mail address' });
    expect(Object.keys(messages[0]).sort()).toEqual(['createdAt', 'html', 'id', 'subject', 'text', 'to']);
  });

  it('does not exist in production', async () => {
    await expectError(await production.request('/dev/mailbox'), 404, 'NOT_FOUND');
  });
});
