/**
 * The response model's choice among template variants: the project's sentence encoder embeds every
 * variant once at start, and per turn the shopper's message; the variant closest to the message
 * is used ("Hi! What are you shopping for?" for "hello, I need shoes"). Without an encoder the
 * choice stays the deterministic per-turn rotation in templates.ts.
 */
import { dot } from '../maths/index.js';
import type { Lang } from '../messages.js';
import type { Templates } from '../templates/index.js';

export interface EmbeddingModel {
  embed(texts: readonly string[], options?: { kind?: 'query' | 'passage' }): Promise<Float32Array[]>;
}

/** Returns the index of the variant to use, or undefined to keep the default choice. */
export type VariantChooser = (key: string, variants: readonly string[]) => number | undefined;

export interface VariantRanker {
  chooserFor(lang: Lang, userText: string): Promise<VariantChooser | undefined>;
}

const MAX_VARIANTS = 5_000;

export async function openVariantRanker(encoder: EmbeddingModel, templates: Templates): Promise<VariantRanker> {
  const vectors = new Map<string, Float32Array>();
  const texts: string[] = [];
  for (const lang of ['en', 'zh'] as const) {
    for (const variants of templates[lang].values()) {
      if (variants.length < 2) continue;
      for (const v of variants) if (!vectors.has(v) && texts.length < MAX_VARIANTS) texts.push(v);
    }
  }
  // Placeholders say nothing about tone; embed the fixed wording only.
  const embedded = texts.length ? await encoder.embed(texts.map((t) => t.replace(/\{[a-zA-Z0-9_]+\??\}/g, ' ')), { kind: 'passage' }) : [];
  texts.forEach((t, i) => vectors.set(t, embedded[i]!));
  return {
    async chooserFor(_lang, userText) {
      if (!userText.trim() || vectors.size === 0) return undefined;
      const [q] = await encoder.embed([userText], { kind: 'query' });
      if (!q) return undefined;
      return (_key, variants) => {
        if (variants.length < 2) return undefined;
        let best: number | undefined;
        let bestScore = -Infinity;
        variants.forEach((v, i) => {
          const vec = vectors.get(v);
          if (!vec) return;
          const s = dot(q, vec);
          if (s > bestScore) (bestScore = s), (best = i);
        });
        return best;
      };
    },
  };
}
