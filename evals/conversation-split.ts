/**
 * The development/report split of the shopper conversations, decided before any of them ran.
 *
 * Rule: group the conversations by (category, language); within a group, order them by
 * sha256("shopbot-conversations-v1:" + id); the first round(40% of the group) go to dev, the rest
 * to report. Stratifying keeps every category and language in both parts in the same proportion.
 * The split was computed once and written to evals/conversations/dev/ and report/; the test
 * (test/evals/conversation-split.test.ts) recomputes it from the files, so a conversation cannot
 * move between the parts unnoticed.
 *
 * `npx tsx evals/conversation-split.ts SOURCE_DIR OUT_DIR` writes OUT_DIR/{dev,report}/<category>.json
 * from the authored files in SOURCE_DIR (a one-off; conversations added later go by the same rule
 * within their group, recorded in the commit that adds them).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConversationFileSchema, type EvalConversation } from './conversation-schema.js';

export const DEV_SHARE = 0.4;
const SEED = 'shopbot-conversations-v1:';

export const splitKey = (id: string) => createHash('sha256').update(SEED + id).digest('hex');

/** conversation id -> dev | report */
export function assignSplit(conversations: readonly Pick<EvalConversation, 'id' | 'category' | 'lang'>[]): Map<string, 'dev' | 'report'> {
  const groups = new Map<string, string[]>();
  for (const c of conversations) {
    if (!c.id || !c.category) throw new Error(`every split conversation needs an id and a category (${c.id ?? '?'})`);
    const g = `${c.category}/${c.lang}`;
    groups.set(g, [...(groups.get(g) ?? []), c.id]);
  }
  const out = new Map<string, 'dev' | 'report'>();
  for (const ids of groups.values()) {
    const ordered = [...ids].sort((a, b) => (splitKey(a) < splitKey(b) ? -1 : 1));
    const dev = Math.round(ordered.length * DEV_SHARE);
    ordered.forEach((id, i) => out.set(id, i < dev ? 'dev' : 'report'));
  }
  return out;
}

function main(sourceDir: string, outDir: string): void {
  // Written as authored (no schema defaults filled in); parsed only to refuse a malformed file.
  const all: EvalConversation[] = [];
  for (const name of readdirSync(sourceDir).filter((n) => n.endsWith('.json')).sort()) {
    const raw = JSON.parse(readFileSync(path.join(sourceDir, name), 'utf8')) as { conversations: EvalConversation[] };
    ConversationFileSchema.parse(raw);
    all.push(...raw.conversations);
  }
  const ids = all.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`duplicate conversation id ${dup}`);
  const split = assignSplit(all);
  for (const part of ['dev', 'report'] as const) {
    const dir = path.join(outDir, part);
    mkdirSync(dir, { recursive: true });
    const byCategory = new Map<string, EvalConversation[]>();
    for (const c of all) if (split.get(c.id!) === part) byCategory.set(c.category!, [...(byCategory.get(c.category!) ?? []), c]);
    for (const [cat, cs] of byCategory) {
      writeFileSync(path.join(dir, `${cat}.json`), JSON.stringify({ catalog: 'demo', conversations: cs }, null, 1) + '\n');
      console.log(`${part}/${cat}.json: ${cs.length}`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv[2]!, process.argv[3]!);
