/**
 * `shopbot apikey create --name NAME --scope conversations[+privacy]`: prints a new API key for the
 * store's backend, and the SHOPBOT_API_KEYS entry that admits it. Only the entry (name, scopes and
 * the key's SHA-256) goes into the configuration; the key itself is shown once.
 */
import { parseArgs } from 'node:util';
import { API_SCOPES, createApiKey, type ApiScope } from '../src/identity/index.js';

export const USAGE = `usage: shopbot apikey create --name NAME --scope ${API_SCOPES.join('+')}`;

export async function run(argv: string[], io: { out(line: string): void; err(line: string): void } = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  let values: { name?: string; scope?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { name: { type: 'string' }, scope: { type: 'string' } }, allowPositionals: true, strict: true }));
  } catch (err) {
    io.err(`shopbot apikey: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (positionals.length !== 1 || positionals[0] !== 'create' || !values.name || !values.scope) {
    io.err(USAGE);
    return 2;
  }
  if (!/^[A-Za-z0-9_.-]{1,60}$/.test(values.name)) {
    io.err(`shopbot apikey: --name: letters, digits, "_", "." and "-" only (1-60)\n${USAGE}`);
    return 2;
  }
  const scopes = values.scope.split('+');
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length) {
    io.err(`shopbot apikey: --scope: unknown scope ${unknown.join(', ')} (known: ${API_SCOPES.join(', ')})\n${USAGE}`);
    return 2;
  }
  const { key, entry } = createApiKey(values.name, scopes as ApiScope[]);
  io.out(`key (give it to the store's backend; it is not shown again): ${key}`);
  io.out(`SHOPBOT_API_KEYS entry (comma-separate several): ${entry}`);
  return 0;
}
