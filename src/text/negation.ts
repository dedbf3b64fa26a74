/**
 * Negated terms ("belts without buckles", "cat treats, no chicken") exclude products, with the
 * same rule in every retriever (BM25, the embedded index, Qdrant): a product is excluded when
 * every word of the negated term is an *affirmed* word of its title.
 *
 * Why the title: it names what the product is; descriptions mention what a product is not, what
 * it fits and what competitors do ("unlike chicken-based treats..."). Why affirmed: titles state
 * absences too ("Futon Frame (Mattress Not Included)", "Chicken-Free Cat Treats", "Belt without
 * Buckle"); such a product is what the shopper asked for, not something to drop. During
 * development, the earlier rule (exclude on any mention in title, bullets or description) scored
 * lower NDCG@10 on the ESCI development queries with negations than no exclusion at all; that
 * rule is gone, so the comparison is not rerunnable here.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

/**
 * Word tokens for negation matching, shared by the engines and the query side: lower-case,
 * a light plural fold ("buckles" -> "buckle") and one token per CJK character.
 */
export function negationTokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (CJK.test(raw)) {
      out.push(...raw);
      continue;
    }
    let w = raw;
    if (w.length > 4 && w.endsWith('es') && /(?:ch|sh|x|ss|z)es$/.test(w)) w = w.slice(0, -2);
    else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}

/**
 * Words that negate what follows: "without" and its kin reach two words ("without belt buckle"),
 * "no"/"non"/"not" one ("non slip", and "No-Slip Yoga Mat" keeps "yoga"). A missed exclusion
 * costs less than a wrong one, so the reach is short.
 */
const NEGATE_NEXT = new Map([['without', 2], ['excluding', 2], ['except', 2], ['minus', 2], ['no', 1], ['non', 1], ['not', 1]]);
/** Words that negate the word before them: "bpa free", "mattress not included". */
const NEGATE_PREVIOUS: readonly (readonly string[])[] = [['free'], ['not', 'included'], ['not', 'include'], ['sold', 'separately'], ['excluded']];
/** A negation does not reach these words. */
const SCOPE_END = new Set(['and', 'with', 'for', 'in', 'on', 'to', 'of', 'by', 'from', 'the', 'a', 'an', 'set', 'pack', 'pcs', 'piece']);
const NEGATION_CHINESE = /(?:不含|不带|无|没有|免)$/;

/**
 * The tokens of `text` (negationTokens) that are not in a negated phrase. Chinese: a character
 * right after 无/不含/不带/没有/免 ("无糖") is negated.
 */
export function affirmedTokens(text: string): string[] {
  const tokens = negationTokens(text.replace(/\bw\/o\b/gi, ' without '));
  const negated = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    // "mattress not included": a trailing negation reaches back, and its "not" does not reach forward.
    const suffix = NEGATE_PREVIOUS.find((words) => words.every((w, k) => tokens[i + k] === w));
    if (suffix) {
      if (i > 0 && !SCOPE_END.has(tokens[i - 1]!) && !NEGATE_NEXT.has(tokens[i - 1]!)) negated[i - 1] = 1;
      i += suffix.length - 1;
    } else if (NEGATE_NEXT.has(tokens[i]!)) {
      const reach = NEGATE_NEXT.get(tokens[i]!)!;
      for (let j = i + 1; j <= i + reach && j < tokens.length && !SCOPE_END.has(tokens[j]!); j++) negated[j] = 1;
    }
  }
  if (CJK.test(text)) {
    // negationTokens emits one token per CJK character: a character preceded by a negating run is negated.
    let run = '';
    tokens.forEach((t, i) => {
      if (t.length === 1 && CJK.test(t)) {
        if (NEGATION_CHINESE.test(run)) negated[i] = 1;
        run = (run + t).slice(-2);
      } else run = '';
    });
  }
  return tokens.filter((_, i) => !negated[i]);
}

/** The words an exclusion is matched against: the affirmed words of the title, space-separated. */
export function exclusionText(title: string): string {
  return affirmedTokens(title).join(' ');
}

/** True when `token` is one of the space-separated words of `text`, without allocating. */
export function hasWord(text: string, token: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0) return false;
    const end = at + token.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 32) && (end === text.length || text.charCodeAt(end) === 32)) return true;
    from = at + 1;
  }
}

/** Compiles negated terms once per query: true when the words (exclusionText) exclude the product. */
export function compileExclusion(terms: readonly string[] | undefined): ((words: string) => boolean) | undefined {
  const tokenized = (terms ?? []).map(negationTokens).filter((t) => t.length > 0);
  if (tokenized.length === 0) return undefined;
  return (words) => tokenized.some((tokens) => tokens.every((t) => hasWord(words, t)));
}

/**
 * How a shopper negates in a query ("without buckles", "no leather", "don't want chicken",
 * "不要皮的"): the NLU reads the negated terms after these words (src/nlu/entities.ts) and the
 * policy takes the same phrases out of the search words (src/dialogue/policy.ts). Order matters
 * in the pattern: the longer word is tried after its prefix fails a word boundary.
 */
export const QUERY_NEGATIONS_EN: readonly string[] = ['without', 'no', 'not', 'avoid', 'excluding', 'except', 'nothing', "don't want", 'do not want', "don't like", 'minus', 'non'];
export const QUERY_NEGATIONS_ZH: readonly string[] = ['不要', '不想要', '别要', '别给我', '除了', '不含', '不带', '没有', '去掉', '排除'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The negation words as a regex alternation (`(?:without|no|...)`). */
export function negationPattern(words: readonly string[]): string {
  return `(?:${words.map(escape).join('|')})`;
}
