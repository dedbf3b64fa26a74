/**
 * A small lexicon scorer for frustration (English and Chinese). It only has to notice anger and
 * exasperation well enough to bring a person in; it is not a general sentiment model.
 * Score: 0 calm, 1 annoyed, 2+ angry.
 */
const STRONG = /\b(ridiculous|unacceptable|outrageous|disgusting|pathetic|useless|worst|terrible|horrible|awful|scam|scammed|fraud|rip[- ]?off|furious|livid|fed up|sick of|waste of (my )?time|joke|incompetent|never again|garbage|trash)\b|垃圾|太差|气死|骗子|忍无可忍|太离谱|什么破|无语|恶心|坑人|投诉/i;
const MILD = /\b(annoy(ed|ing)|frustrat(ed|ing)|angry|upset|disappointed|unhappy|not happy|still (haven'?t|not|waiting)|again\?|how many times|already told you|not helpful|doesn'?t help|you don'?t understand|stupid bot|this bot)\b|生气|失望|不满意|烦|还没|到底|你听不懂|没用/i;

export function frustrationScore(text: string): number {
  let score = 0;
  if (STRONG.test(text)) score += 2;
  if (MILD.test(text)) score += 1;
  if (/[!！]{2,}|[?？]{3,}/.test(text)) score += 1;
  const letters = text.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 8 && letters === letters.toUpperCase()) score += 1;
  return score;
}
