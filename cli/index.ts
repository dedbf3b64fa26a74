/**
 * `shopbot <command>`: each command lives in its own module and exports
 * `run(argv: string[]): Promise<number>` (the exit code). Modules load lazily so `shopbot chat`
 * does not pay for the eval code and vice versa.
 */
import { isShopbotError } from '../src/errors.js';

type CommandModule = { run(argv: string[]): Promise<number> };
type Loader = () => Promise<CommandModule>;

const COMMANDS: Readonly<Record<string, { load: Loader; help: string }>> = {
  serve: { load: () => import('./serve.js'), help: 'serve [--port N] [--config FILE]   run the chat server, widget and demo store' },
  chat: { load: () => import('./chat.js'), help: 'chat [--user ID]                   chat in the terminal against the same pipeline' },
  ingest: { load: () => import('./ingest.js'), help: 'ingest <file> --format esci|csv|gmc   import a catalog file' },
  funnel: { load: () => import('./funnel.js'), help: 'funnel [--days N] [--json OUT]        funnel stage counts and conversion per channel and day' },
  forget: { load: () => import('./forget.js'), help: 'forget --user ID                      delete one shopper\'s conversations, cart, events, coupons and tickets; anonymise their orders' },
  train: { load: () => import('./train.js'), help: 'train intent|ranking                  train a model from data in the repo / the event log' },
  eval: { load: () => import('./eval.js'), help: 'eval <what> ... [--json OUT]          retrieval | intent | intent-benchmarks | clicks | conversion | uplift | conversations' },
  agents: { load: () => import('./agents.js'), help: 'agents hash-password                  print the scrypt form of a password read from stdin (for SHOPBOT_AGENT_USERS)' },
  apikey: { load: () => import('./apikey.js'), help: 'apikey create --name N --scope S        a key for the store\'s backend and its SHOPBOT_API_KEYS entry' },
  bench: { load: () => import('./bench.js'), help: 'bench <what> ... [--json OUT]         turn | retrieval | models | ranking' },
};

export function usage(): string {
  return ['usage: shopbot <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.help}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`shopbot: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (isShopbotError(err)) {
      console.error(`shopbot ${name}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
