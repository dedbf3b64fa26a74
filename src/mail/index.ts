/**
 * Outgoing e-mail (one-time codes to an order's address). Production sends through SMTP
 * (nodemailer); the demo writes each message to `<dataDir>/outbox/` instead, and the reply says so,
 * because a demo install has no mail server and its orders carry made-up addresses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface MailTransport {
  /** 'outbox' messages never leave this machine; replies tell the shopper where to look. */
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** Header values must not carry line breaks (no header injection from a stored address). */
function headerValue(v: string): string {
  return v.replace(/[\r\n]+/g, ' ').trim();
}

export class OutboxMailTransport implements MailTransport {
  readonly kind = 'outbox';
  private seq = 0;
  /** Messages sent by this process, newest last (the files are the record; this is for tests and the CLI). */
  readonly sent: MailMessage[] = [];

  constructor(private readonly options: { dir?: string; from: string; now: () => number }) {}

  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
    if (this.sent.length > 100) this.sent.shift();
    if (!this.options.dir) return;
    mkdirSync(this.options.dir, { recursive: true });
    const at = this.options.now();
    const name = `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++this.seq}.eml`;
    const eml = [
      `From: ${headerValue(this.options.from)}`,
      `To: ${headerValue(message.to)}`,
      `Subject: ${headerValue(message.subject)}`,
      `Date: ${new Date(at).toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      message.text,
      '',
    ].join('\r\n');
    writeFileSync(path.join(this.options.dir, name), eml, { mode: 0o600 });
  }

  async close(): Promise<void> {}
}

export class SmtpMailTransport implements MailTransport {
  readonly kind = 'smtp';
  private readonly transport: ReturnType<typeof createTransport>;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(url);
  }
  async send(message: MailMessage): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: headerValue(message.to), subject: headerValue(message.subject), text: message.text });
    } catch (cause) {
      throw new ShopbotError('STORE_UNAVAILABLE', `could not send e-mail: ${(cause as Error).message}`, { cause });
    }
  }
  async close(): Promise<void> {
    this.transport.close();
  }
}

export function openMailTransport(config: Pick<Config, 'mail' | 'dataDir'>, deps: { now: () => number }): MailTransport {
  if (config.mail.transport === 'smtp') return new SmtpMailTransport(config.mail.smtpUrl!, config.mail.from);
  return new OutboxMailTransport({ ...(config.dataDir === ':memory:' ? {} : { dir: path.join(path.resolve(config.dataDir), 'outbox') }), from: config.mail.from, now: deps.now });
}
