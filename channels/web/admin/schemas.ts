/**
 * The merchant API's request and answer shapes: the routes validate with the request schemas, and
 * the OpenAPI description (src/server/openapi.ts) is generated from both.
 */
import { z } from 'zod';
import { ExperimentSpecSchema } from '../../../src/insights/index.js';
import { ChannelSchema } from '../../../src/messages.js';

export const ViewQuerySchema = z.object({
  /** today, day, week, month, quarter, or Nd (src/reports/period.ts). */
  period: z.string().max(12).default('week'),
  channel: z.union([z.literal('all'), ChannelSchema]).default('all'),
});
export const DemandQuerySchema = z.object({ period: z.string().max(12).default('quarter'), lowStockDays: z.coerce.number().min(1).max(365).default(7) });
export const ConversationParamsSchema = z.object({ id: z.string().min(1).max(200) });
export const SlateParamsSchema = z.object({ id: z.string().min(1).max(100) });
export const ExperimentParamsSchema = z.object({ id: z.string().min(1).max(60) });
export const ExperimentBodySchema = ExperimentSpecSchema;

const UnitSchema = z.enum(['count', 'ratio', 'cents', 'ms', 'score', 'days']);
const CellSchema = z.union([z.string(), z.number(), z.null()]);
/** src/insights/report-types.ts Metric: a figure with its definition (null: nothing to compute it from). */
export const MetricSchema = z.object({ key: z.string(), section: z.string(), label: z.string(), value: z.number().nullable(), unit: UnitSchema, definition: z.string(), ci95: z.tuple([z.number(), z.number()]).optional() });
/** src/insights/report-types.ts MetricTable. */
export const MetricTableSchema = z.object({ key: z.string(), section: z.string(), title: z.string(), definition: z.string(), columns: z.array(z.string()), units: z.array(UnitSchema.nullable()).optional(), rows: z.array(z.array(CellSchema)) });
const PeriodSchema = z.object({ label: z.string(), fromTs: z.number(), toTs: z.number() });
export const MetricsSchema = z.object({ period: PeriodSchema, channel: z.string(), metrics: z.array(MetricSchema), tables: z.array(MetricTableSchema) });
export const ChartsSchema = z.object({ charts: z.array(z.object({ key: z.string(), title: z.string(), src: z.string().describe('data:image/png;base64,...') })) });
export const ReportSchema = z.object({ metrics: z.array(MetricSchema), tables: z.array(MetricTableSchema) });
export const AlertSentSchema = z.object({ sent: z.boolean(), products: z.number().int(), channels: z.number().int().optional() });
/** An experiment as stored: its spec (the POST body) with its state. */
export const ExperimentSchema = z.looseObject({ id: z.string(), kind: z.enum(['ranking', 'coupon', 'reply']), description: z.string(), variants: z.array(z.looseObject({ name: z.string(), weight: z.number() })), status: z.enum(['running', 'stopped']), startedAt: z.number(), stoppedAt: z.number().optional() });
export const ExperimentsSchema = ReportSchema.extend({ experiments: z.array(ExperimentSchema) });
export const SlatesSchema = z.object({ tables: z.array(MetricTableSchema) });
export const SlateExplanationSchema = z.object({ slateId: z.string(), tables: z.array(MetricTableSchema) });
export const AdminConversationSchema = z.object({ conversationId: z.string(), messages: z.array(z.object({ role: z.enum(['user', 'bot', 'agent', 'system']), text: z.string(), ts: z.number() })) });
