/**
 * Flags for every command, eval and bench, read the same way: `--help` (or `-h`) prints the
 * command's usage and exits 0; an unknown flag, a missing value or a bad one is a UsageError that
 * the dispatcher prints as one line naming it, then the usage, and exits 2 (never a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

/** A mistake in how a command was called; `usage` is printed after the one-line message. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` was asked for: the dispatcher prints `usage` and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface FlagSpec<O extends Options> {
  /** Several lines: `usage: shopbot ...`, then what the flags mean. */
  readonly usage: string;
  readonly options: O;
  readonly allowPositionals?: boolean;
}

/** The name of the flag a node:util parseArgs error is about, read from its message. */
function describeParseError(err: Error & { code?: string }): string {
  const option = /'(-{1,2}[^' <]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `${option} ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}` : err.message.split('\n')[0]!;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}`.trim();
    default:
      return err.message.split('\n')[0]!;
  }
}

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** Strict parseArgs plus `--help`; every mistake becomes a UsageError carrying the usage. */
export function parseFlags<O extends Options>(argv: readonly string[], spec: FlagSpec<O>): { values: Parsed<O>['values']; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: spec.allowPositionals ?? false, strict: true });
  } catch (err) {
    if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(spec.usage);
    const e = err as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(describeParseError(e), spec.usage);
    throw err;
  }
  if (parsed.values.help) throw new HelpRequested(spec.usage);
  const { help: _help, ...values } = parsed.values;
  return { values: values as Parsed<O>['values'], positionals: parsed.positionals };
}

/** A flag's value through its schema; a bad value is a UsageError naming the flag. */
export function flag<T>(name: string, schema: z.ZodType<T>, value: unknown, usage?: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new UsageError(`--${name}: ${value === undefined ? 'is required' : `bad value ${JSON.stringify(value)} (${issue?.message ?? 'invalid'})`}`, usage);
}
