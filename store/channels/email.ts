/**
 * E-mail delivery over SMTP (nodemailer). Plain text only: the texts are short and carry no personal
 * data. The Message-ID is derived from the idempotency key, so a resend after a crash has the same
 * Message-ID and mail clients and archives can drop the duplicate.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Channel } from '../dispatcher';

export interface EmailChannelOptions {
  /** SMTP settings (host, port, secure, auth, …) or a ready transporter. */
  transport: SMTPTransport.Options | Transporter;
  /** Sender, e.g. `"Koers" <koers@gemeente.example>`. */
  from: string;
  /** Host part of generated Message-IDs (default: the domain of `from`). */
  messageIdDomain?: string;
}

export function createEmailChannel(options: EmailChannelOptions): Channel & { close(): void } {
  const transporter: Transporter = isTransporter(options.transport)
    ? options.transport
    : nodemailer.createTransport(options.transport);
  const domain = options.messageIdDomain ?? /@([^>\s]+)/.exec(options.from)?.[1] ?? 'koers.invalid';
  return {
    async send(message) {
      const id = createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 32);
      await transporter.sendMail({
        from: options.from,
        to: message.recipient,
        subject: message.subject,
        text: message.body,
        messageId: `<${id}@${domain}>`,
        headers: { 'Idempotency-Key': message.idempotencyKey, 'X-Koers-Kind': message.kind },
      });
    },
    close() {
      transporter.close();
    },
  };
}

function isTransporter(t: SMTPTransport.Options | Transporter): t is Transporter {
  return typeof (t as Transporter).sendMail === 'function';
}
