/** GET /metrics (Prometheus, behind its bearer token) and /openapi.json against the routes the server really serves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationCreatedSchema, HistorySchema, ReplySchema } from '../../src/server/rest.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let t: TestServer;

beforeAll(async () => {
  // A merchant account, so the dashboard's /v1/admin routes are served and must be described too.
  t = await openTestServer({ security: { metricsToken: METRICS_TOKEN }, agents: { users: 'mia:merchant-password-1', merchants: 'mia' } });
});
afterAll(async () => {
  await t?.close();
});

const url = (p: string) => `${t.server.url}${p}`;
const post = (p: string, body: unknown, headers: Record<string, string> = {}) => fetch(url(p), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

async function restTurn(text: string): Promise<{ id: string; auth: Record<string, string>; reply: unknown }> {
  const created = ConversationCreatedSchema.parse(await (await post('/v1/conversations', {})).json());
  const auth = { authorization: `Bearer ${created.token}` };
  const res = await post(`/v1/conversations/${created.conversationId}/messages`, { text }, auth);
  expect(res.status).toBe(200);
  return { id: created.conversationId, auth, reply: await res.json() };
}

describe('GET /metrics', () => {
  it('needs the metrics token', async () => {
    expect((await fetch(url('/metrics'))).status).toBe(401);
    expect((await fetch(url('/metrics'), { headers: { authorization: 'Bearer wrong-token-of-the-same-len' } })).status).toBe(401);
  });

  it('reports turns, stage latency, errors by code, queue depths and sockets in the Prometheus format', async () => {
    await restTurn('ugg slipper');
    const created = ConversationCreatedSchema.parse(await (await post('/v1/conversations', {})).json());
    const empty = await post(`/v1/conversations/${created.conversationId}/messages`, { text: '   ' }, { authorization: `Bearer ${created.token}` });
    expect(empty.status).toBe(400);

    const res = await fetch(url('/metrics'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^shopbot_turns_total\{channel="rest",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^shopbot_turns_total\{channel="rest",outcome="error"\} [1-9]/m);
    expect(text).toMatch(/^shopbot_errors_total\{code="MESSAGE_EMPTY",where="turn"\} [1-9]/m);
    for (const stage of ['load', 'nlu', 'policy', 'actions', 'respond', 'commit']) {
      expect(text).toMatch(new RegExp(`^shopbot_turn_stage_seconds_count\\{stage="${stage}"\\} [1-9]`, 'm'));
    }
    for (const gauge of ['turns_running', 'turns_queued', 'funnel_pending_events', 'retrieval_degraded', 'sockets_open']) {
      expect(text).toMatch(new RegExp(`^shopbot_${gauge} \\d+`, 'm'));
    }
    expect(text).toMatch(/^shopbot_process_resident_memory_bytes \d+/m);
  });

  it('is off without a configured token', async () => {
    const plain = await openTestServer();
    try {
      const res = await fetch(`${plain.server.url}/metrics`);
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('GET /openapi.json', () => {
  type Param = { name: string; in: 'path' | 'query'; required: boolean; schema: Record<string, unknown> };
  type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Param[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; security: unknown[] }>>; components: { securitySchemes: Record<string, unknown> } };

  it('describes exactly the REST routes the server serves', async () => {
    const doc = (await (await fetch(url('/openapi.json'))).json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const api = (u: string) => u.startsWith('/v1/') || ['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(u);
    const served = t.server.routes
      .filter((r) => r.method !== 'HEAD' && api(r.url))
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    expect(documented).toEqual(served);
    expect(served).toContain('POST /v1/conversations/{id}/messages');
    // Request bodies come from the zod schemas the routes validate with.
    const send = doc.paths['/v1/conversations/{id}/messages']!.post!;
    expect(JSON.stringify(send.requestBody)).toContain('"text"');
    expect(send.responses['503']).toBeDefined();
    expect(send.security).toEqual([{ conversationToken: [] }, { apiKey: [] }]);
  });

  it("describes the merchant dashboard's slate routes with their parameters, answers and session", async () => {
    const doc = (await (await fetch(url('/openapi.json'))).json()) as Doc;
    expect(doc.components.securitySchemes.merchantSession).toMatchObject({ type: 'http', scheme: 'bearer' });
    const list = doc.paths['/v1/admin/slates']?.get;
    const one = doc.paths['/v1/admin/slates/{id}']?.get;
    expect(list).toBeDefined();
    expect(one).toBeDefined();
    for (const op of [list!, one!]) {
      expect(op.security).toEqual([{ merchantSession: [] }]);
      expect(op.responses['401']).toBeDefined();
      // period and channel come from the route's zod query schema; both have defaults, so neither is required.
      expect(op.parameters!.filter((p) => p.in === 'query').map((p) => [p.name, p.required])).toEqual([['period', false], ['channel', false]]);
      expect(JSON.stringify(op.parameters!.find((p) => p.name === 'channel')!.schema)).toContain('"slack"');
    }
    expect(one!.parameters!.find((p) => p.in === 'path')).toEqual({ name: 'id', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', maxLength: 100 }) });
    expect(one!.responses['404']).toBeDefined();
    const answer = JSON.stringify(one!.responses['200']!.content!['application/json']!.schema);
    expect(answer).toContain('"slateId"');
    expect(answer).toContain('"columns"');
  });

  it("parses the real routes' answers with the schemas it was generated from", async () => {
    const { id, auth, reply } = await restTurn('running shoes');
    expect(ReplySchema.safeParse(reply).success).toBe(true);
    const history = await (await fetch(url(`/v1/conversations/${id}/messages`), { headers: auth })).json();
    expect(HistorySchema.safeParse(history).error).toBeUndefined();
  });
});
