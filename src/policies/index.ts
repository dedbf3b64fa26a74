/**
 * Policy and FAQ answers from the merchant's own documents. Files (Markdown, HTML or text) are cut
 * into sections at headings; a question is matched against the sections with BM25 (src/text) and the best
 * section is quoted (extractive) with a link to its source. When no section covers enough of the
 * question, the answer is "I don't know", never a guess. A question is read as its subject words plus
 * the facets it asks (how long, how much, where to, what went wrong, which means), each scored on the
 * section's best word for it; a follow-up brings the previous question as lighter context.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { dot } from '../maths/index.js';
import type { Lang } from '../messages.js';
import { BM25_B, BM25_K1, bm25Idf, bm25Term, createAnalyzer, fieldTf, type Analyzer } from '../text/index.js';

/** A quoted policy section: the text, its document and heading, and a link to it. */
export interface PolicyPassage {
  readonly passage: string;
  readonly title: string;
  readonly source: string;
  readonly score: number;
  /** The document's name ("shipping", "returns"): the key `answer`'s topic matches, kept for a follow-up question. */
  readonly topic?: string;
}

/** Answers a policy question from the merchant's documents, or says it cannot (undefined). */
export interface PolicyAnswerer {
  /**
   * `context` is the policy question answered just before, for a follow-up ("how much does it cost?"):
   * its words keep the topic but weigh less than the new question's.
   */
  answer(question: string, topic: string, lang: Lang, context?: string): Promise<PolicyPassage | undefined>;
}

export interface PolicyChunk {
  readonly lang: Lang;
  readonly file: string;
  readonly docTitle: string;
  readonly heading: string;
  readonly text: string;
  readonly anchor: string;
}

const MAX_FILE_BYTES = 1_000_000;

function stripHtml(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<h([1-3])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, inner: string) => `\n${'#'.repeat(Number(level))} ${inner.replace(/<[^>]+>/g, '')}\n`)
    .replace(/<(br|\/p|\/li|\/div)[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
}

/** Sections of one document: every `#`/`##`/`###` heading starts one; text before the first heading is kept too. */
export function chunkDocument(source: string, file: string, lang: Lang): PolicyChunk[] {
  const text = /\.html?$/i.test(file) ? stripHtml(source) : source;
  const lines = text.split(/\r?\n/);
  const docTitle = (lines.find((l) => /^#\s/.test(l)) ?? `# ${path.basename(file).replace(/\.[^.]+$/, '')}`).replace(/^#+\s*/, '').trim();
  const chunks: PolicyChunk[] = [];
  let heading = docTitle;
  let body: string[] = [];
  const flush = () => {
    const t = body.join(' ').replace(/\s+/g, ' ').trim();
    if (t) chunks.push({ lang, file, docTitle, heading, text: t, anchor: slug(heading) });
    body = [];
  };
  for (const line of lines) {
    const h = /^#{1,3}\s+(.*)$/.exec(line);
    if (h) {
      flush();
      heading = h[1]!.trim();
    } else body.push(line);
  }
  flush();
  return chunks;
}

export function loadPolicyChunks(dir: string): PolicyChunk[] {
  const chunks: PolicyChunk[] = [];
  const walk = (d: string, lang: Lang) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        if (name === 'en' || name === 'zh') walk(full, name);
      } else if (/\.(md|markdown|html?|txt)$/i.test(name) && name.toLowerCase() !== 'readme.md' && st.size <= MAX_FILE_BYTES) {
        chunks.push(...chunkDocument(readFileSync(full, 'utf8'), path.relative(dir, full).split(path.sep).join('/'), lang));
      }
    }
  };
  walk(dir, 'en');
  return chunks;
}

/**
 * Words of a question that carry no content for matching a policy section: asking for "the
 * policy" on returns must be covered by the returns section, which never says "policy".
 */
const QUESTION_WORDS = new Set([
  'what', 'how', 'when', 'where', 'why', 'which', 'who', 'polici', 'rule', 'can', 'could', 'would', 'should', 'much', 'mani',
  'need', 'want', 'keep', 'know', 'tell', 'pleas', 'do', 'doe', 'get', 'anyth', 'thing', 'store', 'shop', 'abl',
  'about', 'someth', 'alreadi', 'ever', 'still', 'realli', 'actual', 'possibl', 'allow', 'ok', 'okai',
  '你们', '我们', '什么', '需要', '多久', '可以', '用', '怎么', '怎样', '如何', '吗', '多少', '政策', '规定', '请问', '能', '能否', '是否', '一下', '想',
]);

/**
 * What a question asks about its subject, beyond the subject's words: how long, how much, where to.
 * `asks` are the words that ask it, `says` the words a section answering it uses (both languages,
 * analyzed like the documents; words the documents never use simply never match). A question that
 * asks a facet is scored on the section's best facet word, so "how fast is express shipping?"
 * finds the delivery-time section, which never says "fast", rather than the cost section that
 * also names express shipping.
 */
const FACETS: readonly { readonly name: string; readonly asks: string; readonly says: string }[] = [
  {
    name: 'time',
    asks: 'fast faster fastest quick quickly soon long time timing days speed when arrive 多久 多快 几天 多长时间 时间 时候 何时 到货 时效 快',
    says: 'fast quick soon long time timing day days 多久 时间 工作日 送达 时效',
  },
  {
    name: 'cost',
    asks: 'cost costs price pricing fee fees charge charged free much expensive cheap cheaper 钱 费用 收费 免费 价格 价钱 贵 便宜 运费',
    says: 'cost costs price fee charge free flat 运费 费用 收费 免费 美元 价格',
  },
  {
    name: 'problem',
    asks: 'fail fails failed failing declined decline rejected invalid error 失败 被拒 拒绝 无效 错误',
    says: 'declined decline fail failed error invalid 被拒 失败 错误',
  },
  {
    name: 'means',
    asks: 'methods 方式',
    says: 'accept accepted methods method 接受 方式 支持',
  },
  {
    name: 'area',
    asks: 'countries country international internationally abroad overseas worldwide region regions outside 哪里 哪些 国家 地区 国际 海外 国外 境外 全球 范围',
    says: 'where countries country international internationally abroad overseas worldwide region states 国际 范围 国家 地区 海外 境外 全球',
  },
];
/** A facet outweighs one subject word: it is what the question asks ("how fast"), the subject ("shipping") is in every section of its document. */
const FACET_WEIGHT = 1.5;
/** The previous question's words in a follow-up: they keep its topic, the new question decides. */
const CONTEXT_WEIGHT = 0.3;

/**
 * Questions about one value of a list the documents give: "can you ship to Germany?", "能寄到加拿大吗？"
 * ask where the store ships, "can I pay with Alipay?" which payment means it takes, whether or not
 * the documents name that value. The value's words the documents never use, and the verb, leave the
 * question; its facet stays, so the section giving the list answers ("we ship to all 50 US states…").
 */
interface Slot {
  readonly facet: string;
  readonly pattern: RegExp;
}
const DESTINATION_EN = /\b(?<verb>(?:ship|deliver|send|mail|post)\w*)(?:\s+[\p{L}'’]+){0,3}?\s+(?:to|into)\s+(?:the\s+)?(?<value>\p{L}[\p{L}.'’ -]{0,40}?)\s*(?=[?!.,;]|$|\b(?:and|or|too|please|from|for|by|within|in)\b)/iu;
const DESTINATION_ZH = /(?<verb>(?:邮寄|快递|寄|送|发货|发|运|配送)(?:到|往|至))(?<value>[\p{Script=Han}A-Za-z]{1,12}?)(?=吗|么|嘛|呢|去|的|可以|可不可以|能|行|要|需要|[？?。!！,，\s]|$)/u;
const MEANS_EN = /\b(?<verb>pay(?:ing|ment)?)\s+(?:with|by|using|via|through)\s+(?:a\s+|an\s+|my\s+)?(?<value>\p{L}[\p{L} -]{0,30}?)\s*(?=[?!.,;]|$|\b(?:and|or|please|at|on|for|instead)\b)/iu;
const MEANS_ZH = /(?:用|使用|通过)(?<value>[\p{Script=Han}A-Za-z ]{1,12}?)(?<verb>付款|支付|付钱|结账|买单|付)/u;
const SLOTS: readonly Slot[] = [
  { facet: 'area', pattern: DESTINATION_ZH },
  { facet: 'area', pattern: DESTINATION_EN },
  { facet: 'means', pattern: MEANS_ZH },
  { facet: 'means', pattern: MEANS_EN },
];

/**
 * Document words negated by a prefix ("unused", "non-refundable") also index their base word, so a
 * question about the base ("can I return something I used?") meets the rule that names its opposite.
 */
const NEGATED_WORD = /\b(?:un|non)-?([a-z]{4,})\b/gi;
function negatedBases(text: string): string {
  return [...text.matchAll(NEGATED_WORD)].map((m) => m[1]!).join(' ');
}

/** Dense side of the index: chunk vectors from the project's encoder, and a way to embed a question. */
export interface PolicyDense {
  readonly vectors: readonly Float32Array[];
  embedQuery(question: string): Promise<Float32Array>;
  /** Weight of the cosine in the ranking score (BM25 is normalized to the best section's score). */
  readonly weight: number;
}

export interface PolicyIndexOptions {
  /** Share of the question's terms a section must contain to count as an answer. */
  readonly minCoverage?: number;
  readonly analyzer?: Analyzer;
  /** Base URL path of the served documents, e.g. "/policies". */
  readonly linkBase?: string;
  /** Re-ranks the sections BM25 found with encoder similarity; "I don't know" stays BM25's call. */
  readonly dense?: PolicyDense;
}

/** Embeds every section with the encoder (vectors are L2-normalized) and builds the hybrid index. */
export async function openPolicyIndex(
  chunks: readonly PolicyChunk[],
  options: PolicyIndexOptions & { encoder?: { embed(texts: readonly string[], o?: { kind?: 'query' | 'passage' }): Promise<Float32Array[]> }; denseWeight?: number } = {},
): Promise<PolicyAnswerer & { readonly size: number }> {
  const encoder = options.encoder;
  if (!encoder || chunks.length === 0) return createPolicyIndex(chunks, options);
  const vectors = await encoder.embed(chunks.map((c) => `${c.heading}. ${c.text}`), { kind: 'passage' });
  return createPolicyIndex(chunks, {
    ...options,
    dense: { vectors, weight: options.denseWeight ?? 0.15, embedQuery: async (q) => (await encoder.embed([q], { kind: 'query' }))[0]! },
  });
}

export function createPolicyIndex(chunks: readonly PolicyChunk[], options: PolicyIndexOptions = {}): PolicyAnswerer & { readonly size: number } {
  const analyzer = options.analyzer ?? createAnalyzer();
  const minCoverage = options.minCoverage ?? 0.5;
  const linkBase = options.linkBase ?? '/policies';
  const docs = chunks.map((c, i) => {
    const terms = analyzer.analyze(`${c.heading} ${c.heading} ${c.text} ${negatedBases(`${c.heading} ${c.text}`)}`);
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { chunk: c, tf, len: terms.length, index: i };
  });
  const byLang = (lang: Lang) => docs.filter((d) => d.chunk.lang === lang);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);

  // Each document's title terms and opening section: "what is your return policy?" names only the subject.
  const titleTerms = new Map<string, Set<string>>();
  const opening = new Map<string, (typeof docs)[number]>();
  for (const d of docs) {
    const key = `${d.chunk.lang}/${d.chunk.file}`;
    if (!titleTerms.has(key)) titleTerms.set(key, new Set(analyzer.analyze(d.chunk.docTitle)));
    if (!opening.has(key)) opening.set(key, d);
  }
  const facets = FACETS.map((f) => ({ name: f.name, asks: new Set(analyzer.analyze(f.asks)), says: [...new Set(analyzer.analyze(f.says))] }));
  const vocabulary = (lang: Lang) => new Set(byLang(lang).flatMap((d) => [...d.tf.keys()]));
  const vocabularies = new Map<Lang, Set<string>>();

  /** What one question asks: subject terms and facets, each with a weight (a follow-up's context weighs less). */
  const readQuestion = (question: string, weight: number, vocab: ReadonlySet<string>): Item[] => {
    const terms = [...new Set(analyzer.analyze(question))];
    const asked = new Map<string, Set<string>>();
    const ask = (name: string, term?: string) => {
      const set = asked.get(name) ?? new Set<string>();
      if (term) set.add(term);
      asked.set(name, set);
    };
    // A value of a list (a place, a payment means) is what is asked about, not a word the answer must
    // contain: the verb and the value's unknown words go, a value the documents name stays.
    const dropped = new Set<string>();
    for (const slot of SLOTS) {
      const m = slot.pattern.exec(question);
      if (!m) continue;
      ask(slot.facet);
      const verb = m.groups?.verb ?? '';
      const value = m.groups?.value ?? '';
      for (const t of analyzer.analyze(verb)) dropped.add(t);
      for (const t of analyzer.analyze(value)) if (!vocab.has(t)) dropped.add(t);
      break;
    }
    const han = /\p{Script=Han}/u;
    const content: string[] = [];
    for (const t of terms) {
      const facet = facets.find((f) => f.asks.has(t));
      if (facet) ask(facet.name, t);
      // Jieba's search mode adds compounds and sub-words ("能寄到", "支付" of "支付宝"): unknown ones go with the dropped word.
      else if (dropped.has(t) || (!vocab.has(t) && han.test(t) && [...dropped].some((x) => han.test(x) && (t.includes(x) || x.includes(t))))) continue;
      else if (!QUESTION_WORDS.has(t)) content.push(t);
    }
    const items: Item[] = content.map((t) => ({ terms: [t], weight }));
    for (const [name, own] of asked) items.push({ terms: [...new Set([...own, ...facets.find((f) => f.name === name)!.says])], weight: weight * FACET_WEIGHT, facet: name });
    return items;
  };

  const quote = (c: PolicyChunk, score: number): PolicyPassage => ({
    passage: c.text,
    title: `${c.docTitle}: ${c.heading}`,
    source: `${linkBase}/${c.file}#${c.anchor}`,
    score,
    topic: path.basename(c.file).replace(/\.[^.]+$/, ''),
  });

  return {
    size: chunks.length,
    async answer(question: string, topic: string, lang: Lang, context?: string): Promise<PolicyPassage | undefined> {
      const poolLang: Lang = byLang(lang).length ? lang : 'en';
      const pool = byLang(poolLang);
      if (!pool.length) return undefined;
      let vocab = vocabularies.get(poolLang);
      if (!vocab) vocabularies.set(poolLang, (vocab = vocabulary(poolLang)));
      const asked = readQuestion(question, 1, vocab);
      if (!asked.length) return undefined;
      // The context adds only what the new question does not already ask; a follow-up asking a facet
      // ("and how quickly?" after the cost) asks it instead of the previous question's.
      const seen = new Set(asked.map((i) => i.terms.join(' ')));
      const asksFacet = asked.some((i) => i.facet);
      const kept = context ? readQuestion(context, CONTEXT_WEIGHT, vocab).filter((i) => !seen.has(i.terms.join(' ')) && !(asksFacet && i.facet)) : [];
      const items = [...asked, ...kept];
      const invAvg = pool.length / pool.reduce((s, d) => s + d.len, 0);
      const n = pool.length;
      // Classic BM25 on one field; (k1 + 1) keeps the scores on the scale they were tuned on.
      const termScore = (d: (typeof docs)[number], t: string) => {
        const f = d.tf.get(t);
        return f ? (BM25_K1 + 1) * bm25Term(bm25Idf(n, df.get(t) ?? 0), fieldTf(f, 1, BM25_B, d.len, invAvg), BM25_K1) : 0;
      };
      const scored: { d: (typeof docs)[number]; score: number; coverage: number }[] = [];
      for (const d of pool) {
        let score = 0;
        let hit = 0;
        let ownHit = 0;
        for (const [i, item] of items.entries()) {
          // A facet counts once, by the section's best word for it.
          const s = Math.max(...item.terms.map((t) => termScore(d, t)));
          if (s <= 0) continue;
          hit++;
          if (i < asked.length) ownHit++;
          score += item.weight * s;
        }
        // The intent already says which document is likely; a topic match breaks ties toward it.
        if (path.basename(d.chunk.file).replace(/\.[^.]+$/, '') === topic) score *= 1.3;
        // A follow-up is covered when its own words are ("what about gift cards?"), or with its context's.
        scored.push({ d, score, coverage: Math.max(hit / items.length, ownHit / asked.length) });
      }
      // A question naming only a document's subject ("your return policy", "退货政策") asks for the
      // document as a whole: its opening section answers, not whichever section repeats the word most.
      if (!context && asked.every((i) => !i.facet)) {
        const named = [...titleTerms].filter(([key, title]) => key.startsWith(`${poolLang}/`) && asked.every((i) => title.has(i.terms[0]!)));
        if (named.length === 1) return quote(opening.get(named[0]![0])!.chunk, 1);
      }
      const top = Math.max(0, ...scored.map((x) => x.score));
      let best: (typeof scored)[number] | undefined;
      const qv = options.dense && top > 0 ? await options.dense.embedQuery(context ? `${context} ${question}` : question) : undefined;
      let bestRank = -Infinity;
      for (const x of scored) {
        if (x.score <= 0 || x.coverage < minCoverage) continue;
        let rank = x.score / top;
        const v = qv ? options.dense!.vectors[x.d.index] : undefined;
        if (qv && v) rank += options.dense!.weight * dot(qv, v);
        if (rank > bestRank) (bestRank = rank), (best = x);
      }
      if (!best || best.score <= 0 || best.coverage < minCoverage) return undefined;
      return quote(best.d.chunk, best.score);
    },
  };
}

/** One thing a question asks: a subject term, or a facet matched by its best word. */
interface Item {
  readonly terms: readonly string[];
  readonly weight: number;
  /** The facet's name when the item is one: its terms are alternatives, the section's best one counts. */
  readonly facet?: string;
}
