/**
 * Gradient-boosted trees in TypeScript (histogram-based, leaf-wise, LightGBM-style), the
 * meta-learners for uplift built on them, the GBDT + FTRL leaf transform, and worker-thread training.
 */
export { buildSchema, toColumns, numericOf, type FeatureSpec, type FeatureValue, type TabularRow } from './data.js';
export { trainGbdt, trainGbdtRefit, queryGroups, GbdtModel, GbdtModelSchema, GbdtParamsSchema, GBDT_FORMAT, OBJECTIVES, type Objective, type GbdtModelJson, type GbdtParams, type GbdtParamsInput, type GbdtTrainInput, type TrainSet } from './booster.js';
export { trainUplift, UpliftModel, UpliftModelSchema, META_LEARNERS, UPLIFT_FORMAT, type MetaLearnerKind, type UpliftModelJson, type UpliftSet, type UpliftTrainInput } from './uplift.js';
export { GbdtFtrl, type GbdtFtrlOptions } from './leaves.js';
export { runTreeJob, type TreeJob, type TreeJobResult } from './jobs.js';
export { startTreeJob, trainInWorker, type WorkerHandle } from './train-worker.js';
