/**
 * `shopbot <command>`: each command lives in its own module and exports
 * `run(argv: string[]): Promise<number>` (the exit code) and its `USAGE`. Modules load lazily so
 * `shopbot chat` does not pay for the eval code and vice versa. `shopbot <command> --help` prints
 * the command's usage; a wrong flag or value prints one line and the usage and exits 2.
 */
import { runCommand, type CommandModule } from './subcommands.js';

type Loader = () => Promise<CommandModule>;

const COMMANDS: Readonly<Record<string, { load: Loader; help: string }>> = {
  serve: { load: () => import('./serve.js'), help: 'serve [--port N] [--config FILE]   run the chat server, widget and demo store' },
  chat: { load: () => import('./chat.js'), help: 'chat [--user ID]                   chat in the terminal against the same pipeline' },
  ingest: { load: () => import('./ingest.js'), help: 'ingest <file> --format esci|csv|gmc   import a catalog file' },
  funnel: { load: () => import('./funnel.js'), help: 'funnel [--days N] [--json OUT]        funnel stage counts and conversion per channel and day' },
  forget: { load: () => import('./forget.js'), help: 'forget --user ID                      delete one shopper\'s conversations, cart, events, coupons and tickets; anonymise their orders' },
  train: { load: () => import('./train.js'), help: 'train intent|uplift|ranking|reranker  train a model from data in the repo / the event log' },
  eval: { load: () => import('./eval.js'), help: 'eval <what> ... [--json OUT]          retrieval | intent | intent-benchmarks | intent-model | nlu | dense-retrieval | clicks | conversion | uplift | conversations | simulate' },
  agents: { load: () => import('./agents.js'), help: 'agents hash-password                  print the scrypt form of a password read from stdin (for SHOPBOT_AGENT_USERS)' },
  apikey: { load: () => import('./apikey.js'), help: 'apikey create --name N --scope S        a key for the store\'s backend and its SHOPBOT_API_KEYS entry' },
  experiments: { load: () => import('./experiments.js'), help: 'experiments list|start FILE|stop ID|results ID   A/B tests of ranking policies' },
  bench: { load: () => import('./bench.js'), help: 'bench <what> ... [--json OUT]         turn | retrieval | models | ranking | architecture' },
};

export function usage(): string {
  return ['usage: shopbot <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  ${c.help}`), '', '`shopbot <command> --help` describes each command.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(usage());
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`shopbot: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return runCommand(name, await command.load(), rest);
}
