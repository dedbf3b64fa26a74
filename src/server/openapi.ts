/**
 * The REST API's OpenAPI 3.1 description, generated from the same zod schemas the routes validate
 * with: each route is declared once (`ApiRoutes.add`), which both registers it on fastify and
 * records it for the document, so the description cannot drift from what is served.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export type Auth = 'none' | 'conversationToken' | 'apiKey' | 'metricsToken' | 'webhookSignature' | 'merchantSession';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** fastify's form: `/v1/conversations/:id/messages`. */
  readonly url: string;
  readonly summary: string;
  readonly auth: readonly Auth[];
  readonly params?: z.ZodObject;
  /** The query string's fields (those with a default or optional are described as not required). */
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Status -> what comes back; a schema for JSON bodies, a media type for others, nothing for 204. */
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType; readonly mediaType?: string }>>;
}

export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Statuses every authenticated or rate-limited route may answer, described once. */
const COMMON_ERRORS: Readonly<Record<number, string>> = {
  400: 'Invalid request (code BAD_REQUEST, MESSAGE_EMPTY)',
  429: 'Over a rate limit (RATE_LIMITED); Retry-After says when to retry',
  503: 'The server is saturated (BUSY) or a backend is unavailable; Retry-After says when to retry',
};

const SECURITY_SCHEMES = {
  conversationToken: { type: 'http', scheme: 'bearer', description: 'The token POST /v1/conversations returned (or a widget hello)' },
  apiKey: { type: 'http', scheme: 'bearer', description: "A merchant API key (`shopbot apikey`), from the store's servers only, never a browser" },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'security.metricsToken (SHOPBOT_METRICS_TOKEN)' },
  webhookSignature: { type: 'apiKey', in: 'header', name: 'x-shopbot-signature', description: 'HMAC-SHA256 of the raw body with funnel.webhookSecret, with a timestamp (replays refused)' },
  merchantSession: { type: 'http', scheme: 'bearer', description: 'A merchant dashboard session: the token POST /admin/login returns to an account of agents.merchants' },
} as const;

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\*$/, '{path}');
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

export class ApiRoutes {
  private readonly specs: RouteSpec[] = [];

  /** Registers the route on fastify and records it for the description. */
  add(fastify: FastifyInstance, spec: RouteSpec, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
    this.specs.push(spec);
    fastify.route({ method: spec.method, url: spec.url, handler });
  }

  get routes(): readonly RouteSpec[] {
    return this.specs;
  }

  document(info: { title: string; version: string; serverUrl?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const params = [
        ...Object.entries(spec.params?.shape ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema as z.ZodType, 'input') })),
        ...Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({ name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: jsonSchema(schema as z.ZodType, 'input') })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, r] of Object.entries(spec.responses)) {
        responses[status] = {
          description: r.description,
          ...(r.schema ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : r.mediaType ? { content: { [r.mediaType]: {} } } : {}),
        };
      }
      for (const [status, description] of Object.entries(COMMON_ERRORS)) {
        responses[status] ??= { description, content: { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } } };
      }
      if (spec.auth.some((a) => a !== 'none')) responses['401'] ??= { description: 'Missing or invalid credential', content: { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } } };
      (paths[toOpenApiPath(spec.url)] ??= {})[spec.method.toLowerCase()] = {
        summary: spec.summary,
        ...(params.length ? { parameters: params } : {}),
        ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
        responses,
        security: spec.auth.filter((a) => a !== 'none').map((a) => ({ [a]: [] })),
      };
    }
    return {
      openapi: '3.1.0',
      info,
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      paths,
      components: { securitySchemes: SECURITY_SCHEMES },
    };
  }
}
