/**
 * A local Slack Web API (port 0) that records and checks the calls we make. It answers
 * auth.test and chat.postMessage like Slack does, plus a response_url endpoint for slash commands,
 * and can be told to answer the next calls with 429 (Retry-After) or 500.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { startJsonServer, type JsonReply, type JsonServer } from '../../helpers/json-server.js';

export interface SlackCall {
  readonly method: string;
  readonly authorization?: string;
  readonly body: Record<string, unknown>;
}

export class FakeSlackApi extends EventEmitter {
  readonly calls: SlackCall[] = [];
  /** Status codes to answer the next chat.postMessage calls with, in order (429 carries Retry-After). */
  failures: { status: number; retryAfterSec?: number }[] = [];
  /** Answer invalid_blocks to messages with images, as Slack does when it cannot fetch one. */
  refuseImages = false;
  private server?: JsonServer;
  private ts = 1_700_000_000;
  url = '';

  async start(): Promise<void> {
    this.server = await startJsonServer((req) => this.handle(req));
    this.url = this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Resolves with the first recorded call (past or future) matching; the test timeout bounds the wait. */
  waitFor(method: string, predicate: (c: SlackCall) => boolean = () => true, nth = 1): Promise<SlackCall> {
    const matching = () => this.calls.filter((c) => c.method === method && predicate(c));
    return new Promise((resolve) => {
      const check = () => {
        const found = matching();
        if (found.length >= nth) {
          this.off('call', check);
          resolve(found[nth - 1]!);
        }
      };
      this.on('call', check);
      check();
    });
  }

  private async handle(req: IncomingMessage): Promise<JsonReply> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    let body: Record<string, unknown>;
    if (type.startsWith('application/json')) body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    else {
      body = Object.fromEntries(new URLSearchParams(raw));
      // WebClient form-encodes structured arguments as JSON strings.
      for (const k of ['blocks', 'attachments']) if (typeof body[k] === 'string') body[k] = JSON.parse(body[k] as string);
    }
    const method = (req.url ?? '').replace(/^\/(api\/)?/, '').replace(/\?.*$/, '');
    const call: SlackCall = { method, authorization: req.headers.authorization, body };
    if (method === 'chat.postMessage' && this.failures.length) {
      const f = this.failures.shift()!;
      this.calls.push({ ...call, method: `${method}#${f.status}` });
      this.emit('call');
      if (f.status === 429) return { status: 429, headers: { 'retry-after': String(f.retryAfterSec ?? 1) }, body: { ok: false, error: 'ratelimited' } };
      return { status: f.status, body: { ok: false, error: 'internal_error' } };
    }
    this.calls.push(call);
    this.emit('call');
    if (method === 'auth.test') {
      if (call.authorization !== 'Bearer xoxb-test-token') return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      return { status: 200, body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' } };
    }
    if (method === 'chat.postMessage') {
      if (call.authorization !== 'Bearer xoxb-test-token') return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      if (typeof body.channel !== 'string' || !body.channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      if (this.refuseImages && JSON.stringify(body.blocks ?? []).includes('image_url')) return { status: 200, body: { ok: false, error: 'invalid_blocks' } };
      const channel = body.channel.startsWith('#') ? 'CSUPPORT' : body.channel;
      this.ts += 1;
      return { status: 200, body: { ok: true, channel, ts: `${this.ts}.000100`, message: { text: body.text } } };
    }
    if (method.startsWith('respond/')) return { status: 200, body: { ok: true } };
    return { status: 200, body: { ok: false, error: 'unknown_method' } };
  }
}
