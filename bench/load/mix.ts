/**
 * What the simulated shoppers say: the user turns of the conversation evals
 * (evals/conversations/*.json, their own format), each conversation kept as one script so that
 * refinements and confirmations ("the second one", "yes") follow the message they refer to.
 * A plain text file is read as one single-message script per non-empty line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConversationFile } from '../../evals/conversations.js';
import { ShopbotError } from '../../src/errors.js';
import type { Rng } from '../../src/maths/index.js';

export interface Script {
  /** The file it came from (basename), to report the mix by source. */
  readonly source: string;
  readonly turns: readonly string[];
}

export function defaultMixFiles(root: string): string[] {
  const dir = path.join(root, 'evals', 'conversations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function loadMix(files: readonly string[]): Script[] {
  const scripts: Script[] = [];
  for (const file of files) {
    const source = path.basename(file);
    if (file.endsWith('.json')) {
      for (const c of loadConversationFile(file)) scripts.push({ source, turns: c.turns.map((t) => t.user) });
    } else {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (cause) {
        throw new ShopbotError('INPUT_MISSING', `--messages: cannot read ${file}`, { cause });
      }
      for (const line of text.split('\n')) if (line.trim()) scripts.push({ source, turns: [line.trim()] });
    }
  }
  if (scripts.length === 0) throw new ShopbotError('INPUT_MISSING', `--messages: no messages in ${files.join(', ')}`);
  return scripts;
}

export type ThinkDistribution = 'exp' | 'uniform';

/**
 * Pause before each message. Exponential (the default) makes each shopper's messages a Poisson
 * stream, so arrivals bunch the way independent people's do; capped at 10x the mean so one draw
 * cannot idle a shopper for most of a short run. Uniform draws from [0.5, 1.5] x the mean.
 */
export function createThinkTime(dist: ThinkDistribution, meanMs: number, rng: Rng): () => number {
  if (meanMs <= 0) return () => 0;
  if (dist === 'uniform') return () => meanMs * (0.5 + rng());
  return () => Math.min(10 * meanMs, -meanMs * Math.log(1 - rng()));
}
