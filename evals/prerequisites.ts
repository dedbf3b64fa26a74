/**
 * What a long eval or bench needs beyond Node (a binary, Python modules, a file), checked before it
 * starts any work, so a missing fastText is reported in a second instead of after a long training
 * run. Everything missing is reported at once, each with the command that installs it.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { ShopbotError } from '../src/errors.js';

export interface Prerequisite {
  /** What is needed, as a person would name it ("fasttext on PATH", "python3-sklearn for /usr/bin/python3"). */
  readonly what: string;
  /** How to get it (an apt-get line, or the flag that skips the part that needs it). */
  readonly install: string;
  isMet(): boolean;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A program, by path or by name on PATH. */
export function binary(name: string, install: string): Prerequisite {
  return {
    what: `${name}${name.includes('/') ? '' : ' on PATH'}`,
    install,
    isMet: () => (name.includes('/') ? isExecutable(name) : (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, name)))),
  };
}

/** Python modules importable by this interpreter (Debian's modules live under /usr/bin/python3, not a pyenv shim). */
export function pythonModules(python: string, modules: readonly string[], install: string): Prerequisite {
  return {
    what: `python modules ${modules.join(', ')} for ${python}`,
    install,
    isMet: () => spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', timeout: 60_000 }).status === 0,
  };
}

export function file(p: string, install: string): Prerequisite {
  return { what: `file ${p}`, install, isMet: () => existsSync(p) };
}

/** Throws PREREQUISITE_MISSING naming every unmet prerequisite and how to install it. */
export function requirePrerequisites(what: string, needs: readonly Prerequisite[]): void {
  const missing = needs.filter((n) => !n.isMet());
  if (missing.length === 0) return;
  throw new ShopbotError('PREREQUISITE_MISSING', [`${what} needs what is not installed here:`, ...missing.map((m) => `  ${m.what}: ${m.install}`)].join('\n'));
}
