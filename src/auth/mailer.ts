import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/config.js';

/**
 * Account mail (issue 12 item 5). With SMTP_HOST set, mail goes over SMTP (nodemailer). Without
 * it (the embedded default), each message is rendered to RFC 822 anyway and written to
 * DATA_DIR/mail/<time>-<id>.eml, and the server log gets a line with the recipient, the subject
 * and the link, so `make run` needs no mail server and a developer can still click the link.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The one link the mail is about (logged in file mode). */
  link: string;
}

export interface MailLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type MailConfig = Pick<Config, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_USER' | 'SMTP_PASS' | 'SMTP_FROM' | 'DATA_DIR'>;

export class Mailer {
  readonly #config: MailConfig;
  readonly #log: MailLog;
  readonly #transport: Transporter;
  readonly mode: 'smtp' | 'file';

  constructor(config: MailConfig, log: MailLog) {
    this.#config = config;
    this.#log = log;
    this.mode = config.SMTP_HOST ? 'smtp' : 'file';
    this.#transport =
      this.mode === 'smtp'
        ? nodemailer.createTransport({
            host: config.SMTP_HOST,
            port: config.SMTP_PORT,
            // 465 is TLS from the first byte; the others upgrade with STARTTLS when offered.
            secure: config.SMTP_PORT === 465,
            ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASS } } : {}),
            // A mail server that hangs must not keep a request's background work forever.
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 20_000,
          })
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(msg: MailMessage): Promise<void> {
    const info = await this.#transport.sendMail({ from: this.#config.SMTP_FROM, to: msg.to, subject: msg.subject, text: msg.text });
    if (this.mode === 'smtp') return;
    const dir = path.join(this.#config.DATA_DIR, 'mail');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${new Date().toISOString().replaceAll(':', '-')}-${crypto.randomBytes(4).toString('hex')}.eml`);
    // The file holds a live token: readable by the service user only.
    fs.writeFileSync(file, (info as { message: Buffer }).message, { mode: 0o600 });
    this.#log.info({ to: msg.to, subject: msg.subject, link: msg.link, file }, 'mail not sent (SMTP_HOST is not set): written to the data directory');
  }

  /** Sends without making the caller wait (or reveal, by its timing, whether a mail went out). */
  sendInBackground(msg: MailMessage): void {
    this.send(msg).catch((err: unknown) => this.#log.warn({ err, to: msg.to, subject: msg.subject }, 'sending mail failed'));
  }

  close(): void {
    this.#transport.close();
  }
}
