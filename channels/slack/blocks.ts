/**
 * OutboundMessage, merchant results and escalations as Slack Block Kit. All catalog and shopper
 * text goes through escapeSlack (mrkdwn) or plain_text objects; sizes are capped to Slack's limits
 * (50 blocks, 3000 chars per section, 75 per button label, 2000 per button value).
 */
import type { CartView, OutboundMessage, ProductCard } from '../../src/messages.js';
import { couponValue, endsConversation, RATING_PROMPT, ratingSubject, escapeSlack, FEEDBACK_REPLY_CHARS, formatMoney, formatPercent, truncate, MERCHANT_HELP, stageLabel, sponsoredNote, type MerchantResult, type Escalation } from '../shared/index.js';

export interface Block {
  readonly type: string;
  readonly block_id?: string;
  readonly [key: string]: unknown;
}
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

export const ACTION = {
  addToCart: 'shopbot_add_to_cart',
  click: 'shopbot_click',
  viewCart: 'shopbot_view_cart',
  checkout: 'shopbot_checkout',
  quickReply: 'shopbot_quick_reply',
  handBack: 'shopbot_hand_back',
  /** Thumbs on a reply: `shopbot_feedback_up` / `shopbot_feedback_down`; value {t: reply excerpt, n: intent}. */
  feedback: 'shopbot_feedback',
  /** The conversation's rating: `shopbot_rate_1` .. `shopbot_rate_5`. */
  rate: 'shopbot_rate',
} as const;

const MAX_BLOCKS = 50;
const MAX_PRODUCTS = 10;

const plain = (text: string, max = 75) => ({ type: 'plain_text', text: truncate(text, max) || ' ', emoji: false });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, 3000) });
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button',
  text: plain(text),
  action_id: actionId,
  value: value.slice(0, 2000),
  ...(style ? { style } : {}),
});

function safeUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url) || url.length > 2000) return undefined;
  // <url|label> syntax: these three would end or split the link.
  return url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

function productBlocks(p: ProductCard, index: number, lang: string): Block[] {
  const url = safeUrl(p.url);
  const title = escapeSlack(truncate(p.title, 200));
  const facts = [
    p.brand ? escapeSlack(truncate(p.brand, 80)) : undefined,
    p.priceCents !== undefined ? formatMoney(p.priceCents, p.currency) : undefined,
    p.rating !== undefined ? `★ ${p.rating.toFixed(1)}${p.ratingCount ? ` (${p.ratingCount})` : ''}` : undefined,
    p.inStock ? undefined : '_out of stock_',
  ].filter(Boolean);
  const image = safeUrl(p.imageUrl);
  const sponsored = p.sponsored ? sponsoredNote(lang) : undefined;
  const section: Block = {
    type: 'section',
    block_id: `product_${index}`,
    text: mrkdwn(`${sponsored ? `\`${sponsored.label}\` ` : ''}*${url ? `<${url}|${title}>` : title}*\n${facts.join(' · ')}`),
    ...(image ? { accessory: { type: 'image', image_url: image, alt_text: truncate(p.title, 100) } } : {}),
  };
  // The shopper is told why it is an ad, as the widget does under its badge.
  const why: Block[] = sponsored ? [{ type: 'context', block_id: `product_sponsored_${index}`, elements: [mrkdwn(`${sponsored.label}: ${sponsored.why}`)] }] : [];
  const value = JSON.stringify({ p: p.id, s: p.slateId, i: p.position });
  const actions: Block = {
    type: 'actions',
    block_id: `product_actions_${index}`,
    elements: [
      ...(p.inStock ? [button('Add to cart', ACTION.addToCart, value, 'primary')] : []),
      button('Details', ACTION.click, value),
    ],
  };
  return [section, ...why, actions];
}

function cartBlocks(cart: CartView): Block[] {
  const lines = cart.lines
    .slice(0, 20)
    .map((l) => `• ${l.quantity} × ${escapeSlack(truncate(l.title, 120))} — ${formatMoney(l.unitPriceCents * l.quantity, l.currency)}`);
  return [
    { type: 'section', block_id: 'cart', text: mrkdwn(`*Your cart*\n${lines.join('\n') || '_empty_'}\n*Total: ${formatMoney(cart.totalCents, cart.currency)}*`) },
    ...(cart.lines.length
      ? [{ type: 'actions', block_id: 'cart_actions', elements: [button('Checkout', ACTION.checkout, 'checkout', 'primary'), button('View cart', ACTION.viewCart, 'view_cart')] }]
      : []),
  ];
}

/**
 * Thumbs under every bot reply (bot turns carry the intent; an agent's message does not); at the
 * end of a conversation, five rating buttons too.
 */
function feedbackBlocks(msg: OutboundMessage): Block[] {
  const value = JSON.stringify({ t: truncate(msg.text, FEEDBACK_REPLY_CHARS), ...(msg.intent ? { n: msg.intent } : {}) });
  const blocks: Block[] = msg.text && msg.intent !== undefined
    ? [{ type: 'actions', block_id: 'feedback', elements: [button('👍 Helpful', `${ACTION.feedback}_up`, value), button('👎 Not helpful', `${ACTION.feedback}_down`, value)] }]
    : [];
  if (endsConversation(msg)) {
    const subject = ratingSubject(msg);
    blocks.push(
      { type: 'section', block_id: 'rate_prompt', text: mrkdwn(`*${RATING_PROMPT[subject]}* 1 (poor) to 5 (great)`) },
      // The value names the subject; the server looks up who helped, never the button.
      { type: 'actions', block_id: 'rate', elements: [1, 2, 3, 4, 5].map((n) => button('★'.repeat(n), `${ACTION.rate}_${n}`, subject === 'agent' ? `agent:${n}` : String(n))) },
    );
  }
  return blocks;
}

export function renderOutbound(msg: OutboundMessage): SlackMessage {
  const blocks: Block[] = [];
  if (msg.text) blocks.push({ type: 'section', block_id: 'text', text: mrkdwn(escapeSlack(msg.text)) });
  msg.products.slice(0, MAX_PRODUCTS).forEach((p, i) => blocks.push(...productBlocks(p, i, msg.lang)));
  if (msg.coupon) {
    const c = msg.coupon;
    blocks.push({
      type: 'section',
      block_id: 'coupon',
      text: mrkdwn(
        `:ticket: *${couponValue(c)}* with code \`${escapeSlack(c.code.replace(/`/g, ''))}\`\n${escapeSlack(truncate(c.description, 500))}` +
          `${c.minBasketCents ? `\nMinimum basket ${formatMoney(c.minBasketCents, 'USD')}` : ''}\nValid until ${c.expiresAt.slice(0, 10)}`,
      ),
    });
  }
  if (msg.cart) blocks.push(...cartBlocks(msg.cart));
  if (msg.handoff) {
    const h = msg.handoff;
    const where = h.queuePosition !== undefined ? ` (position ${h.queuePosition} in the queue)` : '';
    blocks.push({ type: 'context', block_id: 'handoff', elements: [mrkdwn(`:bust_in_silhouette: Handoff ${h.status}${h.team ? ` to ${escapeSlack(h.team)}` : ''}${where}`)] });
  }
  if (msg.quickReplies.length) {
    blocks.push({
      type: 'actions',
      block_id: 'quick_replies',
      elements: msg.quickReplies.slice(0, 5).map((q, i) => ({ ...button(q.label, `${ACTION.quickReply}_${i}`, q.text) })),
    });
  }
  blocks.push(...feedbackBlocks(msg));
  const fallback = [msg.text, ...msg.products.slice(0, MAX_PRODUCTS).map((p) => `• ${p.sponsored ? `[${sponsoredNote(msg.lang).label}] ` : ''}${p.title}`)].filter(Boolean).join('\n');
  return { text: escapeSlack(truncate(fallback || 'Reply from the shop assistant', 3000)), blocks: blocks.slice(0, MAX_BLOCKS) };
}

export function renderMerchant(result: MerchantResult, chartUrl?: string): SlackMessage {
  switch (result.kind) {
    case 'report': {
      const r = result.report;
      const c = r.coupons;
      const stageLines = r.stages.map((s) => `${stageLabel(s.stage)}: *${s.count}*${s.conversion !== null ? ` (${formatPercent(s.conversion)} of previous)` : ''}`);
      const uplift =
        c.uplift === null
          ? 'uplift: needs offers in both the treated and the holdout group'
          : `uplift *${formatPercent(c.uplift)}* (95% CI ${formatPercent(c.upliftCi95![0])} to ${formatPercent(c.upliftCi95![1])}); converted ${formatPercent(c.treatedRate)} treated vs ${formatPercent(c.holdoutRate)} holdout`;
      const blocks: Block[] = [
        { type: 'header', text: plain(`Funnel report, ${r.period.label}`, 150) },
        { type: 'section', block_id: 'stages', text: mrkdwn(stageLines.join('\n')) },
        {
          type: 'section',
          block_id: 'totals',
          fields: [mrkdwn(`*Revenue*\n${formatMoney(r.revenueCents, 'USD')}`), mrkdwn(`*Recommendation CTR*\n${formatPercent(r.recommendationCtr, 2)}`)],
        },
        {
          type: 'section',
          block_id: 'coupons',
          text: mrkdwn(`*Coupons*: ${c.treated} offered, ${c.holdout} held out, ${c.redeemed} redeemed, cost ${formatMoney(c.costCents, 'USD')}\n${uplift}`),
        },
      ];
      if (chartUrl) blocks.push({ type: 'image', image_url: chartUrl, alt_text: 'Funnel stages bar chart' });
      return { text: `Funnel report, ${r.period.label}: ${r.stages.map((s) => `${stageLabel(s.stage)} ${s.count}`).join(', ')}`, blocks };
    }
    case 'no_results': {
      const lines = result.queries.map((q, i) => `${i + 1}. ${escapeSlack(truncate(q.query, 120))} — *${q.count}*`);
      return {
        text: `Top searches with no results, ${result.period.label}`,
        blocks: [
          { type: 'header', text: plain(`Searches with no results, ${result.period.label}`, 150) },
          { type: 'section', block_id: 'queries', text: mrkdwn(lines.join('\n') || '_None: every search found something._') },
        ],
      };
    }
    case 'escalations': {
      const blocks: Block[] = [{ type: 'header', text: plain(`Open escalations: ${result.items.length}`, 150) }];
      for (const e of result.items.slice(0, 20)) {
        blocks.push({
          type: 'section',
          text: mrkdwn(
            `*${escapeSlack(e.status)}*${e.team ? ` · ${escapeSlack(e.team)}` : ''}${e.agentId ? ` · agent ${escapeSlack(e.agentId)}` : ''} · since <!date^${Math.floor(e.sinceTs / 1000)}^{date_short_pretty} {time}|${new Date(e.sinceTs).toISOString()}>\n` +
              `${escapeSlack(truncate(e.reason || 'no reason given', 300))}\n\`${escapeSlack(e.conversationId)}\` (${escapeSlack(e.channel)})`,
          ),
        });
      }
      return { text: `Open escalations: ${result.items.length}`, blocks };
    }
    case 'help':
      return {
        text: 'Merchant commands',
        blocks: [{ type: 'section', text: mrkdwn(MERCHANT_HELP.map(([cmd, what]) => `\`${cmd}\`: ${what}`).join('\n')) }],
      };
    case 'error':
      return { text: escapeSlack(result.message), blocks: [{ type: 'section', text: mrkdwn(`:warning: ${escapeSlack(result.message)}`) }] };
  }
}

export function renderEscalation(e: Escalation): SlackMessage {
  const who = [e.shopper.name, e.shopper.email, e.shopper.userId].filter(Boolean).map((s) => escapeSlack(truncate(s!, 120)));
  return {
    text: `Escalation (${e.priority})${e.team ? ` for ${e.team}` : ''}: ${truncate(e.summary, 200)}`,
    blocks: [
      { type: 'header', text: plain(`Escalation · ${e.priority}${e.team ? ` · ${e.team}` : ''}`, 150) },
      { type: 'section', block_id: 'summary', text: mrkdwn(escapeSlack(truncate(e.summary, 2500))) },
      {
        type: 'context',
        elements: [mrkdwn(`Shopper: ${who.join(' · ') || 'anonymous'}${e.shopper.channel ? ` on ${escapeSlack(e.shopper.channel)}` : ''} · conversation \`${escapeSlack(e.conversationId)}\``)],
      },
      { type: 'context', elements: [mrkdwn('Reply in this thread to answer the shopper.')] },
      { type: 'actions', block_id: 'escalation_actions', elements: [button('Hand back to bot', ACTION.handBack, e.conversationId, 'danger')] },
    ],
  };
}
