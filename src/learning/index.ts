/** Learning from the funnel: hashed FTRL towers (CTR x CVR, ESMM-style) trained online and checkpointed. */
export { openLearning, loadRankingModel, newRankingModel, RANKING_CHECKPOINT, FOLLOWER_RELOAD_MS, type Learning, type LearningDeps, type RankingModels } from './online.js';
export { EsmmModel, DEFAULT_CROSSES, POSITION_KEY, type Prediction } from './esmm.js';
export { Ftrl, sigmoid, DEFAULT_FTRL, type FtrlParams } from './ftrl.js';
export { FeatureEncoder, type FeatureRecord, type EncoderOptions } from './encoder.js';
export { ImpressionJoiner, type LabelledImpression } from './joiner.js';
export { replayLog, LEARNING_EVENT_TYPES, type TrainStats } from './replay.js';
export { saveCheckpoint, loadCheckpoint } from './checkpoints.js';
export { createRankingTrainer, type RankingTrainer, type RetrainDeps, type RetrainResult } from './retrain.js';
export * from './gbdt/index.js';
