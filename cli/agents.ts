/**
 * `shopbot agents hash-password`: reads one password from stdin and prints its "scrypt$..." form,
 * to put in SHOPBOT_AGENT_USERS as "name:scrypt$..." so the config holds no plain password. The
 * password comes on stdin, not as an argument, because arguments show in `ps` and shell history.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { hashPassword, passwordProblem } from '../channels/web/index.js';

export interface CliIo {
  readonly stdin: Readable;
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = 'usage: shopbot agents hash-password   (reads the password from stdin, e.g. `read -rs P && printf "%s\\n" "$P" | shopbot agents hash-password`)';

async function firstLine(input: Readable): Promise<string | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

export async function run(argv: string[], io: CliIo = { stdin: process.stdin, out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  if (argv.length !== 1 || argv[0] !== 'hash-password') {
    io.err(USAGE);
    return 2;
  }
  const password = await firstLine(io.stdin);
  if (!password) {
    io.err(`shopbot agents hash-password: no password on stdin\n${USAGE}`);
    return 2;
  }
  const problem = passwordProblem(password);
  if (problem) {
    io.err(`shopbot agents hash-password: ${problem}`);
    return 2;
  }
  io.out(await hashPassword(password));
  return 0;
}
