/**
 * The data directories conversation evals run in. A demo-catalog conversation gets the store as
 * `npm start` serves it (the 6,764-product ESCI demo catalog, its vector index, the demo orders),
 * copied fresh from a prepared template so no conversation sees another's carts, orders, tickets,
 * rate limits or learned ranking. Importing and embedding the catalog takes about half a minute
 * once; the template is kept under the eval's data directory, keyed by the catalog file's hash.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openApp, resolveFromRoot } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ShopbotError } from '../src/errors.js';

export const DEFAULT_EVAL_DATA_DIR = 'var/eval-conversations';

/**
 * Imports the demo catalog into `<root>/catalog-<hash>` on first use, and opens it once per run
 * so its vector index is in step with the current embedding model before it is copied.
 */
export async function prepareDemoTemplate(root: string, options: { catalogFile?: string } = {}): Promise<string> {
  const config = loadConfig({ overrides: { dataDir: path.join(root, 'unused'), logLevel: 'silent', ...(options.catalogFile ? { catalog: { demoFile: options.catalogFile } } : {}) } });
  const catalogFile = resolveFromRoot(config.catalog.demoFile);
  if (!existsSync(catalogFile)) throw new ShopbotError('INPUT_MISSING', `the demo catalog ${catalogFile} is missing (it ships with the repository: git checkout evals/data/esci)`);
  const hash = createHash('sha256').update(readFileSync(catalogFile)).digest('hex').slice(0, 12);
  const dir = path.resolve(root, `catalog-${hash}`);
  mkdirSync(dir, { recursive: true });
  const app = await openApp(loadConfig({ overrides: { dataDir: dir, logLevel: 'silent', catalog: { demo: true, demoFile: catalogFile }, coupons: { enabled: false } } }));
  await app.close();
  return dir;
}

/** A fresh copy of the template for one conversation; `dispose` removes it. */
export function copyTemplate(template: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(path.dirname(template), 'run-'));
  cpSync(template, dir, { recursive: true });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The newest one-time code in a data directory's outbox (the demo store writes its e-mails
 * there). Order numbers (SB-123456) have six digits too; the code is the six digits not
 * preceded by a dash or a letter.
 */
export function latestOutboxCode(dataDir: string): string | undefined {
  const dir = path.join(dataDir, 'outbox');
  if (!existsSync(dir)) return undefined;
  // File names are `<ISO time>-<pid>-<seq>.eml`; the sequence number orders messages written in the same millisecond.
  const key = (name: string) => {
    const m = /^(.*)-(\d+)-(\d+)\.eml$/.exec(name);
    return m ? [m[1]!, Number(m[3])] as const : [name, 0] as const;
  };
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.eml'))
    .sort((a, b) => {
      const [ta, sa] = key(a);
      const [tb, sb] = key(b);
      return ta === tb ? sa - sb : ta < tb ? -1 : 1;
    });
  for (const name of files.reverse()) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    const m = /(?<![-\p{L}\p{N}])\d{6}(?!\p{N})/u.exec(body);
    if (m) return m[0];
  }
  return undefined;
}
