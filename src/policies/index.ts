/**
 * Policy and FAQ answers from the merchant's own documents. Files (Markdown, HTML or text) are cut
 * into sections at headings; a question is matched against the sections with BM25 (src/text) and the best
 * section is quoted (extractive) with a link to its source. When no section covers enough of the
 * question, the answer is "I don't know", never a guess.
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
  answer(question: string, topic: string, lang: Lang): Promise<PolicyPassage | undefined>;
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
  '你们', '我们', '什么', '需要', '多久', '可以', '用', '怎么', '怎样', '如何', '吗', '多少', '政策', '规定', '请问', '能', '能否', '是否', '一下', '想',
]);

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
    const terms = analyzer.analyze(`${c.heading} ${c.heading} ${c.text}`);
    const tf = new Map<string, number>();
    for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    return { chunk: c, tf, len: terms.length, index: i };
  });
  const byLang = (lang: Lang) => docs.filter((d) => d.chunk.lang === lang);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);

  return {
    size: chunks.length,
    async answer(question: string, topic: string, lang: Lang): Promise<PolicyPassage | undefined> {
      const pool = byLang(lang).length ? byLang(lang) : byLang('en');
      if (!pool.length) return undefined;
      const q = [...new Set(analyzer.analyze(question))].filter((t) => !QUESTION_WORDS.has(t));
      if (!q.length) return undefined;
      const invAvg = pool.length / pool.reduce((s, d) => s + d.len, 0);
      const n = pool.length;
      const scored: { d: (typeof docs)[number]; score: number; coverage: number }[] = [];
      for (const d of pool) {
        let score = 0;
        let hit = 0;
        for (const t of q) {
          const f = d.tf.get(t);
          if (!f) continue;
          hit++;
          // Classic BM25 on one field; (k1 + 1) keeps the scores on the scale they were tuned on.
          score += (BM25_K1 + 1) * bm25Term(bm25Idf(n, df.get(t) ?? 0), fieldTf(f, 1, BM25_B, d.len, invAvg), BM25_K1);
        }
        // The intent already says which document is likely; a topic match breaks ties toward it.
        if (path.basename(d.chunk.file).replace(/\.[^.]+$/, '') === topic) score *= 1.3;
        scored.push({ d, score, coverage: hit / q.length });
      }
      const top = Math.max(0, ...scored.map((x) => x.score));
      let best: (typeof scored)[number] | undefined;
      const qv = options.dense && top > 0 ? await options.dense.embedQuery(question) : undefined;
      let bestRank = -Infinity;
      for (const x of scored) {
        if (x.score <= 0 || x.coverage < minCoverage) continue;
        let rank = x.score / top;
        const v = qv ? options.dense!.vectors[x.d.index] : undefined;
        if (qv && v) rank += options.dense!.weight * dot(qv, v);
        if (rank > bestRank) (bestRank = rank), (best = x);
      }
      if (!best || best.score <= 0 || best.coverage < minCoverage) return undefined;
      const c = best.d.chunk;
      return { passage: c.text, title: `${c.docTitle}: ${c.heading}`, source: `${linkBase}/${c.file}#${c.anchor}`, score: best.score, topic: path.basename(c.file).replace(/\.[^.]+$/, '') };
    },
  };
}
