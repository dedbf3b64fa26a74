/**
 * FakeQdrantServer: a small in-memory HTTP server on port 0 that speaks the part of Qdrant's REST
 * API the client uses (collections, payload indexes, upsert, delete, count, query) in Qdrant's
 * response shapes, validates each request body, records every request, and can be told to fail
 * (HTTP errors or dropped connections). No Qdrant server can be installed here; real-server
 * tests run when QDRANT_URL is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

interface Point {
  vector: number[];
  payload: Record<string, unknown>;
}

interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  indexes: Map<string, unknown>;
}

type Cond = Record<string, unknown>;

function tokens(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Qdrant's condition semantics for the conditions the client builds. */
function matchCondition(id: string, p: Point, c: Cond): boolean {
  if ('must' in c || 'must_not' in c || 'should' in c) return matchFilter(id, p, c);
  if ('has_id' in c) return (c.has_id as string[]).includes(id);
  const value = p.payload[c.key as string];
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if ('range' in c) {
    const r = c.range as { gte?: number; lte?: number; gt?: number; lt?: number };
    return values.some((v) => typeof v === 'number' && (r.gte === undefined || v >= r.gte) && (r.lte === undefined || v <= r.lte) && (r.gt === undefined || v > r.gt) && (r.lt === undefined || v < r.lt));
  }
  const m = c.match as { value?: unknown; any?: unknown[]; text?: string };
  if (m.value !== undefined) return values.includes(m.value);
  if (m.any !== undefined) return values.some((v) => m.any!.includes(v));
  if (m.text !== undefined) {
    const words = new Set(values.flatMap((v) => tokens(String(v))));
    return tokens(m.text).every((t) => words.has(t));
  }
  throw new Error(`unsupported condition ${JSON.stringify(c)}`);
}

function matchFilter(id: string, p: Point, f: Cond | undefined): boolean {
  if (!f) return true;
  const must = (f.must as Cond[] | undefined) ?? [];
  const mustNot = (f.must_not as Cond[] | undefined) ?? [];
  const should = (f.should as Cond[] | undefined) ?? [];
  return must.every((c) => matchCondition(id, p, c)) && !mustNot.some((c) => matchCondition(id, p, c)) && (should.length === 0 || should.some((c) => matchCondition(id, p, c)));
}

class HttpFail extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class FakeQdrantServer {
  readonly requests: RecordedRequest[] = [];
  readonly collections = new Map<string, Collection>();
  /** Answer the next N requests with this HTTP status. */
  failNext: { count: number; status: number } = { count: 0, status: 503 };
  /** While true every request's connection is destroyed without an answer (server unreachable). */
  isDown = false;
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<FakeQdrantServer> {
    const fake = new FakeQdrantServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.isDown) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    const started = process.hrtime.bigint();
    const send = (status: number, payload: object) => {
      const time = Number(process.hrtime.bigint() - started) / 1e9;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...payload, time }));
    };
    if (this.failNext.count > 0) {
      this.failNext.count--;
      send(this.failNext.status, { status: { error: `Service unavailable (injected ${this.failNext.status})` } });
      return;
    }
    try {
      send(200, { status: 'ok', result: this.route(req.method ?? 'GET', url.pathname, body) });
    } catch (err) {
      if (err instanceof HttpFail) send(err.status, { status: { error: err.message } });
      else send(500, { status: { error: String(err) } });
    }
  }

  private collection(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw new HttpFail(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return c;
  }

  private route(method: string, pathname: string, body: unknown): unknown {
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(pathname);
    if (!m) throw new HttpFail(404, `no route ${method} ${pathname}`);
    const name = decodeURIComponent(m[1]!);
    const rest = m[2] ?? '';
    const b = (body ?? {}) as Record<string, unknown>;
    const key = `${method} ${rest}`;
    switch (key) {
      case 'GET /exists':
        return { exists: this.collections.has(name) };
      case 'PUT ': {
        if (this.collections.has(name)) throw new HttpFail(409, `Wrong input: Collection \`${name}\` already exists!`);
        const v = b.vectors as { size?: unknown; distance?: unknown } | undefined;
        if (typeof v?.size !== 'number' || !['Cosine', 'Dot', 'Euclid', 'Manhattan'].includes(String(v.distance))) throw new HttpFail(422, 'bad vectors config');
        this.collections.set(name, { size: v.size, distance: String(v.distance), points: new Map(), indexes: new Map() });
        return true;
      }
      case 'GET ': {
        const c = this.collection(name);
        return { status: 'green', optimizer_status: 'ok', points_count: c.points.size, indexed_vectors_count: 0, segments_count: 1, config: { params: { vectors: { size: c.size, distance: c.distance } } }, payload_schema: Object.fromEntries(c.indexes) };
      }
      case 'PUT /index': {
        const c = this.collection(name);
        if (typeof b.field_name !== 'string' || b.field_schema === undefined) throw new HttpFail(422, 'field_name and field_schema required');
        c.indexes.set(b.field_name, b.field_schema);
        return { operation_id: 1, status: 'completed' };
      }
      case 'PUT /points': {
        const c = this.collection(name);
        for (const p of (b.points as { id: string; vector: number[]; payload?: Record<string, unknown> }[]) ?? []) {
          if (!/^[0-9a-f-]{36}$/.test(String(p.id))) throw new HttpFail(422, `Unable to parse UUID: ${String(p.id)}`);
          if (!Array.isArray(p.vector) || p.vector.length !== c.size) throw new HttpFail(400, `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${p.vector?.length}`);
          c.points.set(String(p.id), { vector: p.vector, payload: p.payload ?? {} });
        }
        return { operation_id: 2, status: 'completed' };
      }
      case 'POST /points': {
        const c = this.collection(name);
        const fields = Array.isArray(b.with_payload) ? (b.with_payload as string[]) : undefined;
        return ((b.ids as string[]) ?? [])
          .filter((id) => c.points.has(id))
          .map((id) => {
            const p = c.points.get(id)!;
            const norm = Math.hypot(...p.vector) || 1;
            return {
              id,
              payload: fields ? Object.fromEntries(fields.filter((f) => f in p.payload).map((f) => [f, p.payload[f]])) : b.with_payload ? p.payload : null,
              // Qdrant stores Cosine collections' vectors normalized.
              ...(b.with_vector ? { vector: c.distance === 'Cosine' ? p.vector.map((x) => x / norm) : p.vector } : {}),
            };
          });
      }
      case 'POST /points/delete': {
        const c = this.collection(name);
        for (const id of (b.points as string[]) ?? []) c.points.delete(id);
        return { operation_id: 3, status: 'completed' };
      }
      case 'POST /points/count': {
        const c = this.collection(name);
        return { count: [...c.points].filter(([id, p]) => matchFilter(id, p, b.filter as Cond | undefined)).length };
      }
      case 'POST /points/query': {
        const c = this.collection(name);
        const q = b.query as number[];
        if (!Array.isArray(q) || q.length !== c.size) throw new HttpFail(400, `Wrong input: Vector dimension error: expected dim: ${c.size}`);
        const limit = typeof b.limit === 'number' ? b.limit : 10;
        const qn = Math.hypot(...q) || 1;
        const scored = [...c.points]
          .filter(([id, p]) => matchFilter(id, p, b.filter as Cond | undefined))
          .map(([id, p]) => {
            let s = 0;
            for (let i = 0; i < q.length; i++) s += q[i]! * p.vector[i]!;
            return { id, score: s / (qn * (Math.hypot(...p.vector) || 1)), p };
          })
          .sort((x, y) => y.score - x.score)
          .slice(0, limit);
        const fields = Array.isArray(b.with_payload) ? (b.with_payload as string[]) : undefined;
        return {
          points: scored.map(({ id, score, p }) => ({
            id,
            version: 1,
            score,
            payload: fields ? Object.fromEntries(fields.filter((f) => f in p.payload).map((f) => [f, p.payload[f]])) : b.with_payload ? p.payload : null,
          })),
        };
      }
      default:
        throw new HttpFail(404, `no route ${key}`);
    }
  }
}
