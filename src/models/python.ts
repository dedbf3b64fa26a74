/**
 * The interpreter that runs models/recipes: Debian's /usr/bin/python3 (where python3-torch lives)
 * when present, since a user-level pyenv shim may shadow it on PATH; otherwise python3.
 */
import { existsSync } from 'node:fs';

export function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}
