/**
 * Cue phrases of service talk and task answers, read once per message by the parse builder
 * (understand.ts): which service task a message asks for, yes / no / never mind, corrections
 * ("the other order"), order ids and one-time codes, return reasons, addresses, cart operations.
 * The dialogue's tasks read the parse, never the text.
 */
import { orderIdsIn as orderIdsInText } from '../text/index.js';
import type { Entities, Intent, ServiceTask } from './types.js';

const CANCEL_RE = /^\s*(never ?mind|nevermind|forget (it|about it)|cancel (that|this|it)|stop|don'?t bother|nothing|no thanks|leave it|算了|不用了|不要了|取消吧|没事了?)\b|^\s*(算了|不用了|不要了|没事了?|取消吧)/i;
const YES_RE = /^\s*(y|yes|yeah|yep|yup|sure|ok|okay|confirm(ed)?|correct|right|go ahead|do it|please do|yes please|that'?s (right|it|the one)|是|是的|对|对的|好|好的|确认|可以|没错|行)(\b|[\s,.!，。！]|$)/i;
const NO_RE = /^\s*(n|no|nope|nah|don'?t|do not|wait|不|不是|不对|不要|别|错了)(\b|[\s,.!，。！]|$)/i;
const CORRECTION_RE = /\b(the other (one|order)|another order|not (that|this) (one|order)|wrong order|different order|other order)\b|另一个|另外一个|不是这个|别的订单|另一笔/i;
const LATEST_RE = /\b(latest|last|most recent|newest|recent)\b|最近|最新|上一个/i;

const CUE = {
  changeAddress: /\b(change|update|correct|wrong|edit)\b.{0,30}\b(address|shipping address|delivery address)\b|\baddress\b.{0,20}\b(change|wrong)\b|(改|修改|更改|更新).{0,6}地址|地址.{0,4}(错|改)/i,
  cancel: /\bcancel+(ing|ed)?\b.{0,40}\b(order|purchase|it|my)\b|\b(order|purchase)\b.{0,20}\bcancel|取消.{0,6}(订单|购买|这单)|(订单|这单).{0,4}取消/i,
  refundStatus: /\b(where|status|when|has|have|did|track|haven'?t|not (yet )?received|still)\b.{0,40}\brefund|\brefund\b.{0,30}\b(status|yet|arrive|received|processed|come|where)|退款.{0,8}(到|状态|什么时候|没|进度|哪)|(什么时候|何时).{0,6}退款|(还没|没有?)退款/i,
  returnStart: /\b(return|send back)\b.{0,40}\b(order|item|it|this|them|shoes?|boots?|product|purchase|package|parcel)\b|\bsend (it|this|them) back\b|\b(start|open|make|initiate|begin|request)\b.{0,10}\b(a |the )?return\b|\bi (want|would like|'?d like|need) to return\b|我(要|想)退|退货|退回|申请退/i,
  policyQuestion: /\b(policy|policies|how (long|many days|much|does|do i|can i)|can i return|what is your|what'?s your|do you (accept|allow|offer|ship)|deadline|window|rules?|allowed to|is it possible)\b|政策|规定|多久|几天|可以.{0,6}吗|能不能|是否/i,
};

export const RETURN_REASON_CUES: readonly [string, RegExp][] = [
  ['damaged', /\b(damaged|broken|cracked|defective|faulty|doesn'?t work|not working|stopped working|torn|ripped|scratched|dented)\b|坏|破|损|裂|故障|不能用|质量问题/i],
  ['wrong_item', /\b(wrong (item|size sent|color sent|product|one)|not what i ordered|sent (me )?the wrong|incorrect item|different item)\b|发错|错发|不是我买的|不是我订的/i],
  ['not_as_described', /\b(not as described|doesn'?t match|different from (the )?(picture|photo|description)|misleading|looks different|fake)\b|与描述不符|和描述不一样|和图片不一样|描述不符|假货/i],
  ['size_fit', /\b(too (small|big|large|tight|loose|short|long)|doesn'?t fit|does not fit|didn'?t fit|wrong size|size|fit)\b|太小|太大|尺码|不合适|不合身|大小/i],
  ['changed_mind', /\b(changed my mind|change of mind|don'?t (need|want|like) it|no longer (need|want)|not needed|found (it )?cheaper|don'?t like)\b|不想要|不需要|不喜欢|改变主意/i],
];

/** Words asking for a person in this chat ("a real person", "转人工"): an escalation by words, not by the intent alone. */
const PERSON_RE = /\b(human|real person|live (agent|person|chat)|(an?|the) agent|representative|operator|support (team|staff)|speak to (someone|somebody)|talk to (someone|somebody))\b|转人工|人工客服|真人客服|找真人/i;
/** A question that goes on from the last answer without a subject of its own: "and for electronics?", "what about international?", "加急呢？". */
const CONTINUATION_RE = /^\s*(?:and|or|also|plus|but|what about|how about|same (?:for|with|goes for))\b|^[^。！!？?]{1,20}呢\s*[?？]?\s*$/i;
/** When or where something arrives: "when will it arrive?", "where is it now", "什么时候到", "到哪了". */
const DELIVERY_QUESTION_RE = /\b(?:when|how (?:long|soon)|what day|what time|by when)\b.{0,30}\b(?:arriv\w*|get (?:here|there|to me)|come|be delivered|deliver\w*|be here|reach)\b|\bwhere(?:'s| is) (?:it|my (?:package|parcel|stuff))\b|\beta\b|(?:什么时候|何时|几时|多久|哪天).{0,6}(?:到|送达|寄到)|到哪了?|到了吗|送到了吗/i;

/**
 * A question about the assistant itself: "are you a bot?", "am I talking to a real person?", "is
 * this automated?", "who are you?", "你是机器人吗", "你是真人吗", "你是谁". The words "human" and
 * "real person" in it ask what the assistant is, not for a person.
 */
const ASSISTANT_IDENTITY_RE = new RegExp(
  [
    String.raw`\b(?:are|r)\s+(?:you|u)\s+(?:even\s+|just\s+|really\s+|actually\s+)?(?:an?\s+|the\s+)?(?:(?:real|actual|live)\s+)?(?:human(?:\s+being)?|person|ai|robot|bot|chat ?bot|machine|computer|program|automated|artificial intelligence)\b(?!\s+(?:who|that)\s+(?:can|could)\b)|\b(?:are|r)\s+(?:you|u)\s+(?:even\s+)?real\s*(?:[?!.]|or\b|$)`,
    String.raw`\b(?:am\s+i|are\s+we|is\s+this\s+me)\s+(?:talking|chatting|speaking|writing)\s+(?:to|with)\s+(?:an?\s+|the\s+)?(?:real\s+|actual\s+|live\s+)?(?:bot|robot|chat ?bot|human|person|ai|machine|computer|program)\b`,
    String.raw`\b(?:is|r)\s+(?:this|that|it)\s+(?:an?\s+)?(?:bot|robot|chat ?bot|ai|automated(?:\s+(?:chat|reply|replies|answer))?|real\s+person|human|live\s+person)\s*(?:or\b|\?|$)`,
    String.raw`\bwho\s+(?:are|r)\s+(?:you|u)\b|\bwhat\s+(?:are|r)\s+(?:you|u)\s*[?!.]*$|\bwhat\s+is\s+your\s+name\b|\bwhat'?s\s+your\s+name\b`,
    String.raw`(?:你|您)(?:是不是|是)(?:一个|个)?(?:机器人|真人|真的人|人工|人类|人|AI|ai|智能(?:客服|助手|机器人)?|程序|客服机器人|自动回复)(?:客服)?(?:吗|么|嘛|呀|啊|还是|[?？]|$)`,
    String.raw`(?:你|您)(?:是谁|叫什么)|(?:这|这边|对面)是(?:不是)?(?:机器人|真人|人工|自动回复|AI|ai)(?:吗|么|嘛|[?？]|$)|是(?:真人|人工)还是机器|是机器人?还是(?:真人|人)`,
  ].join('|'),
  'i',
);

/** Does the message ask what the assistant is ("are you a bot?", "你是真人吗")? */
export function asksAboutAssistant(text: string): boolean {
  return ASSISTANT_IDENTITY_RE.test(text);
}

/** The message with its questions about the assistant blanked out (same length): "are you a robot?" names no product. */
export function withoutAssistantQuestion(text: string): string {
  return text.replace(ASSISTANT_IDENTITY_ALL_RE, (s) => ' '.repeat(s.length));
}
/** Compiled once, not per message (replace resets a global pattern's lastIndex itself). */
const ASSISTANT_IDENTITY_ALL_RE = new RegExp(ASSISTANT_IDENTITY_RE.source, 'gi');

/** Words asking for a person, outside any question about what the assistant is ("are you a real person?" asks none). */
export function asksForPerson(text: string): boolean {
  return PERSON_RE.test(withoutAssistantQuestion(text));
}

/**
 * Money taken wrongly: a double or wrong charge, a charge for something cancelled or never
 * ordered, a refund that never came. Stated, these are grievances a person has to look into, not
 * questions the payment policy answers ("when is my card charged?" is a question, not one of these).
 */
const BILLING_PROBLEM_RE = new RegExp(
  [
    String.raw`\b(?:charged|billed|debited|deducted|paid|took\s+(?:my\s+)?(?:money|payment)|(?:money|payment)\s+(?:was\s+)?taken|withdrew|withdrawn)\b.{0,40}\b(?:twice|two times|2 times|2x|three times|double|more than once|multiple times|(?:the\s+)?wrong\s+(?:amount|price|card)|too much|more than (?:the|i|it)|for (?:an?\s+|the\s+)?(?:order|item|something|things?)\s+(?:i|that i|we)\s+(?:never|didn'?t|did not|have not|haven'?t)|(?:after|though|even though)\s+(?:i\s+)?(?:cancel+ed|returned))`,
    String.raw`\b(?:two|2|three|3|several|multiple)\s+(?:identical\s+|separate\s+|duplicate\s+|of\s+the\s+same\s+)?(?:charges|payments|transactions|debits)\b`,
    String.raw`\b(?:double|duplicate[ds]?|identical|extra|unauthori[sz]ed|wrong|incorrect|mystery|unknown)\s+(?:charges?|billing|payments?|transactions?|debits?)\b|\bdouble[- ]?(?:charged|billed|charging|billing)\b|\bover-?(?:charged|billed|charging)\b`,
    String.raw`\b(?:never|still\s+(?:haven'?t|have\s+not|not|didn'?t)|didn'?t|did\s+not|haven'?t|have\s+not|not\s+yet)\s+(?:got|gotten|received|get|seen|receive)\s+(?:my\s+|the\s+|a\s+|any\s+)?(?:money\s+back|refund)|\brefund\b.{0,30}\b(?:never|still\s+(?:hasn'?t|has\s+not|not))\s+(?:arrived|came|come|shown up|showed up|been (?:paid|credited))`,
    String.raw`(?:扣|收|付|刷)(?:了|款|费|钱)?(?:两|2|二|三|3|好几)次|重复(?:扣款|扣费|扣钱|收费|付款|支付)|(?:多|乱|错)(?:扣|收)(?:了|款|费|钱)?|扣(?:多|错)了|收(?:多|错)了|(?:扣款|收费|扣费|付款)金额(?:不对|错了?|有误)|金额(?:不对|扣错)|(?:没有?|未|还没有?)(?:收到|到账|退回)(?:的)?退款|退款.{0,6}(?:没有?|未|还没有?)(?:到账|收到|退回|到)`,
  ].join('|'),
  'i',
);

/** "Will I be charged twice if...?", "如果...会不会多扣": asks about the rules, states no problem. */
const HYPOTHETICAL_RE = /^\s*(?:will|would|do|does|can|could|should|is|are|am i going to)\b|\bif\b|\bwhat happens\b|\bin case\b|如果|会不会|万一/i;

/** Does the message state a billing problem ("you charged me twice", "被多扣了钱")? */
export function isBillingProblem(text: string): boolean {
  return BILLING_PROBLEM_RE.test(text) && !HYPOTHETICAL_RE.test(text);
}

export function isContinuation(text: string): boolean {
  return CONTINUATION_RE.test(text);
}
export function isDeliveryQuestion(text: string): boolean {
  return DELIVERY_QUESTION_RE.test(text);
}

/** A street address: a house number with a street word or a postcode (en), or 路/街/号 (zh). */
export function looksLikeAddress(text: string): boolean {
  return /\d/.test(text) && (/\b(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|apt|suite|unit)\b\.?|\b\d{5}(-\d{4})?\b/i.test(text) || /[路街号区市镇村巷弄]/.test(text));
}

/** The 6-digit code from an e-mail, typed alone or in a sentence ("it's 123 456"). */
export function oneTimeCodeIn(text: string): string | undefined {
  const m = /(?<![\d-])(\d{3})[ -]?(\d{3})(?![\d-])/.exec(text);
  return m ? `${m[1]}${m[2]}` : undefined;
}

export function isCancel(text: string): boolean {
  return CANCEL_RE.test(text);
}
export function isYes(text: string): boolean {
  return YES_RE.test(text) && !NO_RE.test(text);
}
export function isNo(text: string): boolean {
  return NO_RE.test(text);
}
export function isCorrection(text: string): boolean {
  return CORRECTION_RE.test(text);
}
export function isLatest(text: string): boolean {
  return LATEST_RE.test(text);
}
export function isPolicyQuestion(text: string): boolean {
  return CUE.policyQuestion.test(text);
}

export function returnReasonOf(text: string): string | undefined {
  for (const [reason, re] of RETURN_REASON_CUES) if (re.test(text)) return reason;
  return undefined;
}

/**
 * Order ids in a message: the store's prefixed form ("SB-123456", "#1001") first, then numbers the
 * NLU read with an order cue ("order 123456"). Stores accept bare numbers in their own format.
 */
export function orderIdsIn(text: string, entities: Pick<Entities, 'orderIds'>, options: { bareNumbers?: boolean } = {}): string[] {
  const out = orderIdsInText(text);
  for (const id of entities.orderIds) {
    const digits = id.replace(/\D/g, '');
    if (!out.some((o) => o.replace(/\D/g, '') === digits)) out.push(id);
  }
  // A bare 6-digit number while an order id is asked for is the id (the demo store's format).
  if (!out.length && options.bareNumbers) for (const m of text.matchAll(/(?:^|\s)(\d{6})(?=\s|$|[.,!?。，！？])/g)) out.push(m[1]!);
  return [...new Set(out)];
}

/** The service task named by unambiguous cue phrases alone (no intent), or undefined. */
export function serviceCueOf(text: string, hasOrderId: boolean): ServiceTask | 'policy' | undefined {
  const question = CUE.policyQuestion.test(text) && !hasOrderId;
  if (CUE.changeAddress.test(text)) return question ? 'policy' : 'change_address';
  if (CUE.refundStatus.test(text) && !/\bhow long\b|多久/i.test(text)) return 'refund_status';
  if (CUE.cancel.test(text) && !/\bcancel+ation (policy|fee)|\bpolicy\b|政策/i.test(text)) return 'cancel_order';
  if (CUE.returnStart.test(text) && !question) return 'return_order';
  return undefined;
}

/**
 * The service task a message asks for, from cue phrases read over the NLU's intent: the intent
 * model confuses "I want to return my order" with order tracking, the cues do not.
 */
export function serviceTaskOf(text: string, intent: Intent, hasOrderId: boolean): ServiceTask | 'policy' | undefined {
  const question = CUE.policyQuestion.test(text) && !hasOrderId;
  if (CUE.changeAddress.test(text)) return question ? 'policy' : 'change_address';
  if (CUE.refundStatus.test(text)) return 'refund_status';
  if (CUE.cancel.test(text) && !/\bcancel+ation (policy|fee)/i.test(text)) return question && /\bpolicy|政策|规定/i.test(text) ? 'policy' : 'cancel_order';
  if (CUE.returnStart.test(text) && !question) return 'return_order';
  switch (intent) {
    case 'order_status':
      return 'order_status';
    case 'cancel_order':
      return question ? 'policy' : 'cancel_order';
    case 'returns_refunds':
      return question || !hasOrderId ? (/\brefund\b|退款/i.test(text) && !question ? 'refund_status' : question ? 'policy' : CUE.returnStart.test(text) ? 'return_order' : 'policy') : 'return_order';
    default:
      return undefined;
  }
}
