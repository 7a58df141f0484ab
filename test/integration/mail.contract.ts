// One behaviour for every mail transport (dev mailbox, SMTP, HTTP): what arrives is what the core sent, a message
// that could inject headers or reach a second recipient is refused before anything leaves, and concurrent sends
// all arrive. Each transport's test file runs it against a real receiver.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailRefusedError } from '../../src/adapters/mail/message';
import { verificationMail } from '../../src/core/mail-templates';
import type { MailMessage, Mailer } from '../../src/core/ports';

export const CONTRACT_FROM = 'authgate <no-reply@example.test>';

export interface DeliveredMail {
  /** The sender as the receiving side shows it; undefined when the transport has no sender (dev mailbox). */
  from: string | undefined;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface ContractTarget {
  mailer: Mailer;
  /** Whether the receiving side sees a From (all but the dev mailbox). */
  carriesSender: boolean;
  /** What reached `to`, newest first, as the receiving side sees it. */
  received(to: string): Promise<DeliveredMail[]>;
  close(): Promise<void>;
}

const recipient = () => `user-${randomUUID()}@example.test`;

/** SMTP turns line ends into CRLF on the wire and a parser may drop the final one: the same text either way. */
const sameText = (text: string) => text.replace(/\r\n/g, '\n').replace(/\n+$/, '');

export function describeMailerContract(name: string, open: () => Promise<ContractTarget>): void {
  describe(`mail transport contract: ${name}`, () => {
    let target: ContractTarget;
    beforeAll(async () => {
      target = await open();
    });
    afterAll(async () => {
      await target?.close();
    });

    async function expectDelivered(sent: MailMessage) {
      const [mail, ...more] = await target.received(sent.to);
      expect(more).toEqual([]);
      expect(mail).toBeDefined();
      expect(mail!.from).toBe(target.carriesSender ? CONTRACT_FROM : undefined);
      expect(mail!.to).toBe(sent.to);
      expect(mail!.subject).toBe(sent.subject);
      expect(sameText(mail!.text)).toBe(sameText(sent.text));
      expect(mail!.html).toBe(sent.html);
    }

    it('delivers a templated mail unchanged: sender, recipient, subject, text and HTML', async () => {
      const sent = verificationMail({ to: recipient(), name: 'Zoë <b>', link: `https://auth.example.test/verify-email?token=${'a'.repeat(64)}` });
      await target.mailer.send(sent);
      await expectDelivered(sent);
    });

    it('delivers awkward content unchanged: non-ASCII subject, long lines, lines starting with a dot or "From "', async () => {
      const sent: MailMessage = {
        to: recipient(),
        subject: 'Réinitialisez votre mot de passe — ünïcödé ✓',
        text: `Ligne 1\n.\n.leading dot\nFrom the start of a line\n${'x'.repeat(300)}\n\n— fin\n`,
        html: `<p>Grüße ${'y'.repeat(300)}</p>\n<p>.</p>\n<p>✓</p>`,
      };
      await target.mailer.send(sent);
      await expectDelivered(sent);
    });

    it('delivers each of several concurrent mails to its own recipient', async () => {
      const sent = Array.from({ length: 5 }, (_, i) => ({ to: recipient(), subject: `Message ${i}`, text: `text ${i}\n`, html: `<p>${i}</p>` }));
      await Promise.all(sent.map((m) => target.mailer.send(m)));
      for (const m of sent) await expectDelivered(m);
    });

    it.each([
      ['a recipient carrying CR/LF and a Bcc header', { to: 'victim@example.test\r\nBcc: attacker@example.test' }],
      ['a recipient carrying a bare LF', { to: 'victim@example.test\nattacker@example.test' }],
      ['a list of recipients', { to: 'victim@example.test, attacker@example.test' }],
      ['a display name with an address', { to: 'Victim <attacker@example.test>' }],
      ['a subject carrying CR/LF and a header', { to: 'victim@example.test', subject: 'Hi\r\nBcc: attacker@example.test' }],
    ] as [string, { to: string; subject?: string }][])('refuses %s and delivers nothing', async (_what, fields) => {
      const message: MailMessage = { subject: 'Hello', text: 'text', html: '<p>html</p>', ...fields };
      await expect(target.mailer.send(message)).rejects.toBeInstanceOf(MailRefusedError);
      expect(await target.received('victim@example.test')).toEqual([]);
      expect(await target.received('attacker@example.test')).toEqual([]);
    });
  });
}
