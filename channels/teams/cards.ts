/**
 * OutboundMessage, merchant results and escalations as Bot Framework activities with Adaptive
 * Cards (schema 1.5, what Teams renders). Catalog and shopper text is markdown-escaped for
 * TextBlocks; buttons are Action.Submit whose data comes back as activity.value (inbound.ts).
 */
import type { Attachment } from '@microsoft/agents-activity';
import type { OutboundMessage, ProductCard } from '../../src/messages.js';
import { couponValue, endsConversation, RATING_PROMPT, ratingSubject, escapeCardMarkdown, FEEDBACK_REPLY_CHARS, escapeTeamsText, formatMoney, formatPercent, truncate, MERCHANT_HELP, stageLabel, sponsoredNote, type MerchantResult, type Escalation } from '../shared/index.js';

export type CardElement = Record<string, unknown>;

/** A message activity's payload, independent of the SDK's Activity class (built in routes.ts). */
export interface TeamsMessage {
  readonly text?: string;
  readonly attachments: Attachment[];
  readonly attachmentLayout?: 'carousel' | 'list';
  readonly suggestedReplies?: readonly { label: string; text: string }[];
}

const MAX_PRODUCTS = 10;

export function adaptiveCard(body: CardElement[], actions: CardElement[] = []): Attachment {
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body, ...(actions.length ? { actions } : {}) },
  };
}

const text = (t: string, extra: CardElement = {}): CardElement => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
const submit = (title: string, data: Record<string, unknown>, extra: CardElement = {}): CardElement => ({ type: 'Action.Submit', title, data, ...extra });

function httpsUrl(url: string | undefined): string | undefined {
  return url && /^https:\/\/\S+$/i.test(url) && url.length <= 2000 ? url : undefined;
}

/** `lang`: the reply's language, for the sponsored label and its reason (the widget's words). */
export function productCard(p: ProductCard, lang = 'en'): Attachment {
  const image = httpsUrl(p.imageUrl);
  const url = httpsUrl(p.url);
  const facts = [
    p.brand ? { title: 'Brand', value: escapeCardMarkdown(truncate(p.brand, 80)) } : undefined,
    p.priceCents !== undefined ? { title: 'Price', value: formatMoney(p.priceCents, p.currency) } : undefined,
    p.rating !== undefined ? { title: 'Rating', value: `${p.rating.toFixed(1)} / 5${p.ratingCount ? ` (${p.ratingCount})` : ''}` } : undefined,
  ].filter(Boolean);
  const data = { shopbot: 'click', p: p.id, s: p.slateId, i: p.position };
  const sponsored = p.sponsored ? sponsoredNote(lang) : undefined;
  return adaptiveCard(
    [
      ...(sponsored ? [text(sponsored.label, { size: 'Small', isSubtle: true, weight: 'Bolder' })] : []),
      ...(image ? [{ type: 'Image', url: image, altText: truncate(p.title, 100), size: 'Stretch' }] : []),
      text(escapeCardMarkdown(truncate(p.title, 200)), { weight: 'Bolder', maxLines: 3 }),
      ...(facts.length ? [{ type: 'FactSet', facts }] : []),
      ...(p.inStock ? [] : [text('Out of stock', { color: 'Attention' })]),
      // Why it is an ad, as the widget says under its badge.
      ...(sponsored ? [text(sponsored.why, { size: 'Small', isSubtle: true })] : []),
    ],
    [
      ...(p.inStock ? [submit('Add to cart', { ...data, shopbot: 'add_to_cart' }, { style: 'positive' })] : []),
      submit('Details', data),
      ...(url ? [{ type: 'Action.OpenUrl', title: 'Open in shop', url }] : []),
    ],
  );
}

export function renderOutbound(msg: OutboundMessage): TeamsMessage[] {
  const out: TeamsMessage[] = [];
  const products = msg.products.slice(0, MAX_PRODUCTS).map((p) => productCard(p, msg.lang));
  out.push({
    text: msg.text ? escapeTeamsText(msg.text) : undefined,
    attachments: products,
    attachmentLayout: products.length ? 'carousel' : undefined,
    suggestedReplies: msg.quickReplies.slice(0, 5).map((q) => ({ label: truncate(q.label, 50), text: truncate(q.text, 500) })),
  });
  const extras: Attachment[] = [];
  if (msg.coupon) {
    const c = msg.coupon;
    extras.push(
      adaptiveCard(
        [
          text(`Coupon: ${couponValue(c)}`, { weight: 'Bolder', size: 'Medium' }),
          text(escapeCardMarkdown(truncate(c.description, 500))),
          { type: 'FactSet', facts: [{ title: 'Code', value: escapeCardMarkdown(c.code) }, { title: 'Valid until', value: c.expiresAt.slice(0, 10) }, ...(c.minBasketCents ? [{ title: 'Minimum basket', value: formatMoney(c.minBasketCents, 'USD') }] : [])] },
        ],
      ),
    );
  }
  if (msg.cart) {
    const cart = msg.cart;
    extras.push(
      adaptiveCard(
        [
          text('Your cart', { weight: 'Bolder', size: 'Medium' }),
          { type: 'FactSet', facts: cart.lines.slice(0, 20).map((l) => ({ title: `${l.quantity} ×`, value: `${escapeCardMarkdown(truncate(l.title, 120))}: ${formatMoney(l.unitPriceCents * l.quantity, l.currency)}` })) },
          text(`Total: ${formatMoney(cart.totalCents, cart.currency)}`, { weight: 'Bolder' }),
        ],
        cart.lines.length ? [submit('Checkout', { shopbot: 'checkout' }, { style: 'positive' }), submit('View cart', { shopbot: 'view_cart' })] : [],
      ),
    );
  }
  if (msg.handoff) {
    const h = msg.handoff;
    extras.push(adaptiveCard([text(`Handoff ${h.status}${h.team ? ` to ${escapeCardMarkdown(h.team)}` : ''}${h.queuePosition !== undefined ? ` (position ${h.queuePosition} in the queue)` : ''}`, { isSubtle: true })]));
  }
  const feedback = feedbackCard(msg);
  if (feedback) extras.push(feedback);
  if (extras.length) out.push({ attachments: extras, attachmentLayout: 'list' });
  return out;
}

/**
 * Thumbs for a bot reply (bot turns carry the intent; an agent's message does not); at the end of
 * a conversation, a 1-5 rating with an optional comment.
 */
function feedbackCard(msg: OutboundMessage): Attachment | undefined {
  const data = { shopbot: 'feedback', t: truncate(msg.text, FEEDBACK_REPLY_CHARS), ...(msg.intent ? { n: msg.intent } : {}) };
  const thumbs = msg.text && msg.intent !== undefined ? [submit('👍 Helpful', { ...data, v: 'up' }), submit('👎 Not helpful', { ...data, v: 'down' })] : [];
  if (!endsConversation(msg)) return thumbs.length === 0 ? undefined : adaptiveCard([text('Was this helpful?', { isSubtle: true, size: 'Small' })], thumbs);
  return adaptiveCard(
    [
      text(RATING_PROMPT[ratingSubject(msg)], { weight: 'Bolder' }),
      { type: 'Input.ChoiceSet', id: 'rating', style: 'expanded', isRequired: true, errorMessage: 'Choose a rating', choices: [5, 4, 3, 2, 1].map((n) => ({ title: `${'★'.repeat(n)} ${n}`, value: String(n) })) },
      { type: 'Input.Text', id: 'comment', isMultiline: true, maxLength: 1000, placeholder: 'Anything we could do better? (optional)' },
    ],
    [submit('Send rating', { shopbot: 'rate', ...(ratingSubject(msg) === 'agent' ? { s: 'agent' } : {}) }), ...thumbs],
  );
}

export function renderMerchant(result: MerchantResult): TeamsMessage {
  switch (result.kind) {
    case 'report': {
      const r = result.report;
      const c = r.coupons;
      return {
        attachments: [
          adaptiveCard([
            text(`Funnel report, ${r.period.label}`, { weight: 'Bolder', size: 'Large' }),
            { type: 'Image', url: `data:image/png;base64,${result.chartPng.toString('base64')}`, altText: 'Funnel stages bar chart', size: 'Stretch' },
            { type: 'FactSet', facts: r.stages.map((s) => ({ title: stageLabel(s.stage), value: `${s.count}${s.conversion !== null ? ` (${formatPercent(s.conversion)} of previous)` : ''}` })) },
            {
              type: 'FactSet',
              facts: [
                { title: 'Revenue', value: formatMoney(r.revenueCents, 'USD') },
                { title: 'Recommendation CTR', value: formatPercent(r.recommendationCtr, 2) },
                { title: 'Coupons', value: `${c.treated} offered, ${c.holdout} held out, ${c.redeemed} redeemed` },
                { title: 'Coupon cost', value: formatMoney(c.costCents, 'USD') },
                {
                  title: 'Coupon uplift',
                  value: c.uplift === null ? 'needs offers in both the treated and the holdout group' : `${formatPercent(c.uplift)} (95% CI ${formatPercent(c.upliftCi95![0])} to ${formatPercent(c.upliftCi95![1])})`,
                },
              ],
            },
          ]),
        ],
      };
    }
    case 'no_results':
      return {
        attachments: [
          adaptiveCard([
            text(`Searches with no results, ${result.period.label}`, { weight: 'Bolder', size: 'Large' }),
            result.queries.length
              ? { type: 'FactSet', facts: result.queries.map((q) => ({ title: escapeCardMarkdown(truncate(q.query, 80)), value: String(q.count) })) }
              : text('None: every search found something.'),
          ]),
        ],
      };
    case 'escalations':
      return {
        attachments: [
          adaptiveCard([
            text(`Open escalations: ${result.items.length}`, { weight: 'Bolder', size: 'Large' }),
            ...result.items.slice(0, 20).map((e) =>
              text(
                `**${e.status}**${e.team ? ` · ${escapeCardMarkdown(e.team)}` : ''}${e.agentId ? ` · agent ${escapeCardMarkdown(e.agentId)}` : ''} · since ${new Date(e.sinceTs).toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n${escapeCardMarkdown(truncate(e.reason || 'no reason given', 300))} (${escapeCardMarkdown(e.conversationId)})`,
                { separator: true },
              ),
            ),
          ]),
        ],
      };
    case 'help':
      return { attachments: [adaptiveCard([text('Merchant commands', { weight: 'Bolder' }), { type: 'FactSet', facts: MERCHANT_HELP.map(([title, value]) => ({ title, value })) }])] };
    case 'error':
      return { text: escapeTeamsText(result.message), attachments: [] };
  }
}

export function renderEscalation(e: Escalation): TeamsMessage {
  const who = [e.shopper.name, e.shopper.email, e.shopper.userId].filter(Boolean).map((s) => escapeCardMarkdown(truncate(s!, 120)));
  return {
    attachments: [
      adaptiveCard(
        [
          text(`Escalation · ${e.priority}${e.team ? ` · ${escapeCardMarkdown(e.team)}` : ''}`, { weight: 'Bolder', size: 'Medium', color: e.priority === 'urgent' || e.priority === 'high' ? 'Attention' : 'Default' }),
          text(escapeCardMarkdown(truncate(e.summary, 2500))),
          { type: 'FactSet', facts: [{ title: 'Shopper', value: who.join(' · ') || 'anonymous' }, ...(e.shopper.channel ? [{ title: 'Channel', value: escapeCardMarkdown(e.shopper.channel) }] : []), { title: 'Conversation', value: escapeCardMarkdown(e.conversationId) }] },
          text('Reply in this thread (mention the bot) to answer the shopper.', { isSubtle: true, size: 'Small' }),
        ],
        [submit('Hand back to bot', { shopbot: 'hand_back', c: e.conversationId }, { style: 'destructive' })],
      ),
    ],
  };
}
