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
  /** Service-level targets, counted from the escalation: the first agent reply, and the resolution. */
  targets: z.object({ firstResponseMinutes: z.number().int().min(1).max(10_080).default(15), resolutionMinutes: z.number().int().min(1).max(43_200).default(240) }).prefault({}),
  /** Where breach alerts go: the team's Slack channel id and/or its Teams conversation id (else the support channel). */
  alerts: z.object({ slackChannel: z.string().regex(/^[A-Z0-9]{1,40}$/).optional(), teamsConversation: z.string().max(300).optional() }).optional(),
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

export const CannedReplySchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  lang: LangSchema,
  title: z.string().min(1).max(80),
  /** Placeholders: {agent} {team} {order} {order_status} {eta} {tracking} {product} {cart_total} (src/handoff/canned.ts). */
  text: z.string().min(1).max(2000),
});
export type CannedReply = z.infer<typeof CannedReplySchema>;

export const DEFAULT_CANNED: readonly CannedReply[] = [
  { id: 'greeting', lang: 'en', title: 'Greeting', text: 'Hi, this is {agent} from the {team} team. I have read your conversation and I am looking into it now.' },
  { id: 'greeting', lang: 'zh', title: '问候', text: '您好，我是{team}团队的{agent}。我已看过您的对话，正在为您处理。' },
  { id: 'order_status', lang: 'en', title: 'Order status', text: 'Your order {order} is {order_status}; it should arrive by {eta}.' },
  { id: 'order_status', lang: 'zh', title: '订单状态', text: '您的订单 {order} 当前状态：{order_status}，预计 {eta} 送达。' },
  { id: 'tracking', lang: 'en', title: 'Tracking number', text: 'You can follow order {order} with tracking number {tracking}.' },
  { id: 'tracking', lang: 'zh', title: '物流单号', text: '订单 {order} 的物流单号是 {tracking}，您可以据此查询物流。' },
  { id: 'closing', lang: 'en', title: 'Anything else?', text: 'Is there anything else I can help you with today?' },
  { id: 'closing', lang: 'zh', title: '还有其他问题吗', text: '请问还有其他需要帮忙的吗？' },
];

/** Why a ticket was resolved (reported with the resolution). */
export const DEFAULT_RESOLUTIONS = ['solved', 'refund_issued', 'replacement_sent', 'information_given', 'no_reply_from_shopper', 'duplicate', 'other'] as const;

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
        /**
         * The name shoppers see when this agent joins, takes a transfer or sends a canned {agent}
         * reply. The key is an account id (a login, `slack:T…:U…`) and is never shown to shoppers;
         * without a name they read a generic one, and canned replies that need {agent} are not offered.
         */
        displayName: z.string().trim().min(1).max(80).regex(/^[^\p{Cc}]+$/u, 'no control characters').optional(),
      }),
    )
    .default({}),
  rules: z.array(RuleSchema).max(200).default([]),
  canned: z.array(CannedReplySchema).max(500).default([...DEFAULT_CANNED]),
  resolutions: z.array(z.string().regex(/^[a-z0-9_-]{1,40}$/)).min(1).max(50).default([...DEFAULT_RESOLUTIONS]),
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
