/**
 * Handoff configuration: support teams (skills, languages, business hours, capacity), which teams
 * each console agent works for, merchant rules, and triggers the merchant turned off. Read from a
 * JSON file (handoff.file) and validated; without one the defaults below apply.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ShopbotError } from '../errors.js';
import { LangSchema } from '../messages.js';

export const TRIGGERS = ['requested', 'complaint', 'frustration', 'legal_threat', 'payment_card', 'high_value_cart', 'repeated_low_confidence', 'merchant_rule'] as const;
export type TriggerKind = (typeof TRIGGERS)[number];
/** Safety and the shopper's explicit wish: a merchant cannot switch these off. */
export const MANDATORY_TRIGGERS: ReadonlySet<TriggerKind> = new Set(['requested', 'legal_threat', 'payment_card']);

export const AGENT_ROLES = ['agent', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const TeamSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  name: z.string().min(1).max(80),
  /** Topics the team handles (src/handoff/routing.ts names them): billing, account, shipping, returns, sales, complaints, legal, general. */
  skills: z.array(z.string().min(1).max(40)).min(1).max(30),
  languages: z.array(LangSchema).min(1).default(['en', 'zh']),
  /** Absent: always open. Days are 0 (Sunday) to 6. */
  hours: z.object({ timezone: z.string().max(60).default('UTC'), days: z.array(z.number().int().min(0).max(6)).min(1).max(7), open: HHMM, close: HHMM }).optional(),
  /** Conversations the team can hold at once (queued ones wait beyond this). */
  capacity: z.number().int().min(1).max(10_000).default(10),
});
export type Team = z.infer<typeof TeamSchema>;

export const RuleSchema = z.object({
  id: z.string().min(1).max(60),
  /** Case-insensitive regular expression over the shopper's message. */
  pattern: z.string().min(1).max(300),
  team: z.string().max(40).optional(),
  priority: z.enum(PRIORITIES).default('normal'),
});
export type Rule = z.infer<typeof RuleSchema>;

export const HandoffFileSchema = z.object({
  teams: z.array(TeamSchema).min(1).max(50),
  /**
   * Keyed by console login name, or by a Slack/Teams agent's id as the handoff stage sees it
   * (`slack:<team>:<user>`, `teams:<aad object id>`). An admin may reply to, hand back or resolve any
   * ticket, queued ones included; an agent only the tickets they hold.
   */
  agents: z
    .record(
      z.string().max(200),
      z.object({
        teams: z.array(z.string().max(40)).max(50).optional(),
        languages: z.array(LangSchema).optional(),
        maxConcurrent: z.number().int().min(1).max(100).default(5),
        role: z.enum(AGENT_ROLES).default('agent'),
      }),
    )
    .default({}),
  rules: z.array(RuleSchema).max(200).default([]),
  disabledTriggers: z.array(z.enum(TRIGGERS)).max(TRIGGERS.length).default([]),
});
export type HandoffFile = z.infer<typeof HandoffFileSchema>;

export const DEFAULT_HANDOFF: HandoffFile = HandoffFileSchema.parse({
  teams: [
    { id: 'billing', name: 'Billing', skills: ['billing', 'account', 'legal'], capacity: 10 },
    { id: 'shipping', name: 'Shipping', skills: ['shipping', 'general'], capacity: 10 },
    { id: 'returns', name: 'Returns', skills: ['returns', 'complaints'], capacity: 10 },
    { id: 'sales', name: 'Sales', skills: ['sales'], capacity: 10 },
  ],
});

export function loadHandoffFile(file: string | undefined): HandoffFile {
  if (!file) return DEFAULT_HANDOFF;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ShopbotError('CONFIG_INVALID', `handoff file ${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = HandoffFileSchema.safeParse(raw);
  if (!parsed.success) throw new ShopbotError('CONFIG_INVALID', `handoff file ${file}: ${z.prettifyError(parsed.error)}`);
  for (const rule of parsed.data.rules) {
    try {
      new RegExp(rule.pattern, 'i');
    } catch (cause) {
      throw new ShopbotError('CONFIG_INVALID', `handoff file ${file}: rule ${rule.id}: invalid pattern`, { cause });
    }
  }
  return parsed.data;
}
