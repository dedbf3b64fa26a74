/**
 * Which NLU the app serves (config `nlu.engine`): the joint transformer (default; the linear model
 * as its ensemble partner), or the linear baseline alone. When the transformer cannot load (a
 * checkout without models/nlu), the linear model serves and the log says so once.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { loadLinearModel, openLinearNlu, type Nlu } from '../nlu/index.js';
import { createTransformerNlu, openJointModel } from './joint.js';
import type { ModelLogger, ModelsConfig } from './runtime.js';

export interface NluEngineConfig {
  readonly models: ModelsConfig;
  readonly nlu: Pick<Config['nlu'], 'engine' | 'transformerWeight'>;
}

/**
 * `config.models.dir` must already be resolved (absolute or relative to the working directory).
 * `fallback: false` (evals) refuses to serve the linear model in place of a missing transformer.
 */
export async function openNlu(config: NluEngineConfig, log: ModelLogger, options: { fallback?: boolean } = {}): Promise<Nlu> {
  const linearDir = path.join(config.models.dir, 'intent-linear');
  if (config.nlu.engine === 'linear') {
    log.info({ engine: 'linear' }, 'NLU engine');
    return openLinearNlu(linearDir);
  }
  let joint;
  try {
    joint = await openJointModel(config.models, log);
  } catch (err) {
    if (options.fallback === false) throw err;
    log.warn({ err: (err as Error).message }, 'transformer NLU unavailable; serving the linear model');
    return openLinearNlu(linearDir);
  }
  const weight = config.nlu.transformerWeight;
  const nlu = createTransformerNlu(joint, { transformerWeight: weight, ...(weight < 1 ? { linear: await loadLinearModel(linearDir) } : {}) });
  log.info({ engine: weight < 1 ? 'transformer+linear' : 'transformer', model: config.models.nlu, transformerWeight: weight }, 'NLU engine');
  return {
    parse: (text, options) => nlu.parse(text, options),
    async close() {
      await nlu.close();
      await joint.close();
    },
  };
}
