/** The Python that has Debian's python3-torch: /usr/bin/python3 when present (a pyenv shim may shadow it). */
import { existsSync } from 'node:fs';

export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
