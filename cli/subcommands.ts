/**
 * Running one command module: `--help` prints its usage (exit 0), a UsageError prints one line and
 * the usage (exit 2), a coded ShopbotError one line (exit 1). `shopbot eval <what>`, `shopbot
 * train <what>` and `shopbot bench <what>` dispatch through a table of named subcommands.
 */
import { isShopbotError } from '../src/errors.js';
import { HelpRequested, UsageError } from './args.js';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
  /** Printed for `--help` and after a usage error. */
  readonly USAGE?: string;
}

export interface Subcommand {
  load(): Promise<CommandModule>;
  /** One line for the group's usage. */
  readonly summary: string;
}

export type SubcommandTable = Readonly<Record<string, Subcommand>>;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/** Runs a command module under `shopbot <name>`, turning every way a call can be wrong into an exit code and a message. */
export async function runCommand(name: string, mod: CommandModule, argv: string[]): Promise<number> {
  try {
    return await mod.run(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.usage);
      return 0;
    }
    const code = (err as { code?: unknown }).code;
    // A module still parsing with node:util parseArgs directly: its errors are usage errors too.
    const parseError = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
    if (parseError && argv.some((a) => isHelp(a))) {
      console.log(mod.USAGE ?? `usage: shopbot ${name} ...`);
      return 0;
    }
    if (err instanceof UsageError || parseError) {
      const usage = (err instanceof UsageError ? err.usage : undefined) ?? mod.USAGE;
      console.error(`shopbot ${name}: ${(err as Error).message.split('\n')[0]}${usage ? `\n\n${usage}` : ''}`);
      return 2;
    }
    if (isShopbotError(err)) {
      console.error(`shopbot ${name}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export function groupUsage(group: string, table: SubcommandTable): string {
  const width = Math.max(...Object.keys(table).map((k) => k.length));
  return [
    `usage: shopbot ${group} <${Object.keys(table).join('|')}> [options]`,
    '',
    ...Object.entries(table).map(([k, s]) => `  ${k.padEnd(width)}  ${s.summary}`),
    '',
    `\`shopbot ${group} <what> --help\` describes each one's options.`,
  ].join('\n');
}

export async function dispatch(group: string, table: SubcommandTable, argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (!what || isHelp(what)) {
    (what ? console.log : console.error)(groupUsage(group, table));
    return what ? 0 : 2;
  }
  const sub = Object.hasOwn(table, what) ? table[what] : undefined;
  if (!sub) {
    console.error(`shopbot ${group}: unknown ${group} "${what}"\n\n${groupUsage(group, table)}`);
    return 2;
  }
  return runCommand(`${group} ${what}`, await sub.load(), rest);
}
