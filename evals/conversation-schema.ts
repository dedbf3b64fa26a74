/**
 * The conversation file format (evals/conversations/README.md describes it for authors).
 * Backward compatible: the scripted files (no `catalog`, no `category`) mean what they always
 * meant, and run on an empty catalog.
 */
import { z } from 'zod';

export const CATEGORIES = [
  'naming',
  'typos',
  'long',
  'constraints',
  'refinement',
  'reference',
  'product_question',
  'cart',
  'checkout',
  'orders',
  'policies',
  'handoff',
  'smalltalk',
] as const;
export type Category = (typeof CATEGORIES)[number];

const Pattern = z
  .string()
  .min(1)
  .max(500)
  .refine((s) => {
    try {
      new RegExp(s, 'iu');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

const ItemSchema = z.object({ title: z.string().max(200), quantity: z.number().int().min(1).max(99), priceCents: z.number().int().min(0) });
export const OrderSchema = z.object({
  id: z.string().regex(/^SB-\d{6}$/),
  /** Hours before the conversation starts (fulfilment follows from age: 1h shipped, 48h delivered). */
  ageHours: z.number().min(0).max(24 * 400),
  owner: z.enum(['me', 'other']).default('me'),
  email: z.string().max(200).optional(),
  status: z.enum(['processing', 'cancelled']).optional(),
  items: z.array(ItemSchema).min(1).max(20).default([{ title: 'Trail running shoe', quantity: 2, priceCents: 4_500 }]),
});

const Ago = { ago: z.number().int().min(1).max(10).optional(), turn: z.number().int().min(1).max(40).optional() };
const Best = z.enum(['rating', 'reviews', 'cheapest', 'priciest']);
const RefSchema = z.union([
  z.strictObject({ card: z.number().int().min(1).max(50), ...Ago }),
  z.strictObject({ best: z.union([Best, z.array(Best).min(1).max(4)]), among: z.array(z.number().int().min(1).max(50)).min(2).max(10).optional(), ...Ago }),
  z.strictObject({ id: z.string().min(1).max(200) }),
  z.strictObject({ title: Pattern }),
]);

const Words = z.array(z.string().min(1).max(100)).max(20);
const CardsSchema = z.strictObject({
  min: z.number().int().min(0).max(50).optional(),
  max: z.number().int().min(0).max(50).optional(),
  top: z.number().int().min(1).max(50).optional(),
  atLeast: z.number().int().min(1).max(50).optional(),
  title: Pattern.optional(),
  ids: z.array(z.string().min(1).max(200)).max(200).optional(),
  color: Pattern.optional(),
  brand: Pattern.optional(),
  exclude: z.strictObject({ brands: Words.optional(), colors: Words.optional(), words: Words.optional() }).optional(),
  maxPriceCents: z.number().int().min(0).optional(),
  minPriceCents: z.number().int().min(0).optional(),
  cheaper: z.boolean().optional(),
  fresh: z.boolean().optional(),
});

const CartSchema = z.strictObject({
  has: z.array(RefSchema).max(20).optional(),
  lacks: z.array(RefSchema).max(20).optional(),
  empty: z.boolean().optional(),
  items: z.number().int().min(0).max(999).optional(),
  quantity: z.strictObject({ of: RefSchema, is: z.number().int().min(0).max(999) }).optional(),
});

const OrderStatus = z.enum(['processing', 'shipped', 'delivered', 'cancelled', 'return_requested', 'refunded']);

export const TurnSchema = z.strictObject({
  /** The shopper's message; `{code}` is replaced by the newest one-time code in the outbox, `{wrong_code}` by another six digits. */
  user: z.string().min(1).max(2000),
  /** Move the clock forward before this turn. */
  advanceHours: z.number().min(0).max(24 * 60).optional(),
  intent: z.string().max(60).optional(),
  actions: z.array(z.string().max(60)).max(20).optional(),
  slots: z.record(z.string(), z.string().max(500)).nullable().optional(),
  task: z.string().max(60).nullable().optional(),
  contains: z.array(z.string().max(500)).max(20).optional(),
  not: z.array(z.string().max(500)).max(20).optional(),
  matches: z.string().max(500).optional(),
  notMatches: Pattern.optional(),
  /** queued | assigned | resolved, or none (no handoff in this reply). */
  handoff: z.string().max(30).optional(),
  silent: z.boolean().optional(),
  // Product-level checks (evals/metrics/product-checks.ts).
  cards: CardsSchema.optional(),
  price: RefSchema.optional(),
  rating: RefSchema.optional(),
  brand: RefSchema.optional(),
  about: RefSchema.optional(),
  cart: CartSchema.optional(),
  /** The reply's language; categorised conversations check their own language unless a turn says otherwise (null: not checked). */
  lang: z.enum(['en', 'zh']).nullable().optional(),
  /** The reply repeats no stretch of the message this long (default 40 characters for messages of 80 or more, in categorised conversations). */
  noEcho: z.number().int().min(10).max(2000).optional(),
  orders: z.array(z.strictObject({ id: z.string().regex(/^SB-\d{6}$/), status: z.union([OrderStatus, z.array(OrderStatus).min(1)]) })).max(10).optional(),
  placed: z.number().int().min(0).max(20).optional(),
});

export const ConversationSchema = z.strictObject({
  /** Stable id (kebab-case): the split is computed from it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,79}$/).optional(),
  name: z.string().min(1).max(200),
  lang: z.enum(['en', 'zh']),
  category: z.enum(CATEGORIES).optional(),
  /** Where the script comes from (e.g. "ABCD guidelines: Product Defect / Return Due to Size"). */
  source: z.string().max(300).optional(),
  /** `demo`: the demo store as `npm start` serves it; `empty`: no products (the scripted files). Defaults to the file's. */
  catalog: z.enum(['demo', 'empty']).optional(),
  /** Agents are logged in (handoffs open tickets and the bot goes quiet); false: no support desk at all. */
  agents: z.boolean().default(true),
  cartCents: z.number().int().min(0).optional(),
  /** Catalog products in the cart before the first turn. */
  cart: z.array(z.strictObject({ id: z.string().min(1).max(200), quantity: z.number().int().min(1).max(99).default(1) })).max(20).optional(),
  orders: z.array(OrderSchema).max(20).optional(),
  turns: z.array(TurnSchema).min(1).max(40),
});

export const ConversationFileSchema = z.object({
  catalog: z.enum(['demo', 'empty']).default('empty'),
  conversations: z.array(ConversationSchema).min(1).max(500),
});
export type EvalConversation = z.infer<typeof ConversationSchema>;
export type EvalTurn = z.infer<typeof TurnSchema>;
