/**
 * What the long-running commands share: config from the environment (the CLI is the edge that may
 * read process.env) plus flags, and an app opened on it.
 */
import { loadConfig, type Config, type ConfigInput } from '../src/config.js';

export function configFromCli(flags: { config?: string | undefined; 'data-dir'?: string | undefined }, overrides: ConfigInput = {}): Config {
  return loadConfig({
    env: process.env,
    ...(flags.config ? { file: flags.config } : {}),
    overrides: { ...overrides, ...(flags['data-dir'] ? { dataDir: flags['data-dir'] } : {}) },
  });
}
