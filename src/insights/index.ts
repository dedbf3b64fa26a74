/**
 * What the merchant sees: shopper feedback events, the dashboard's metrics (each with its
 * definition), demand signals with forecasts, experiments, slate explanations and the exposure
 * report. Everything here reads the funnel log; nothing writes to another stage's store.
 */
export { FeedbackSchema, feedbackEvent, type Feedback, type FeedbackContext } from './feedback.js';
export { computeMerchantMetrics, merchantMetrics, metricsCsv, type Cell, type MerchantMetrics, type Metric, type MetricsOptions, type MetricTable, type MetricUnit } from './metrics.js';
export { exposureReport, priceBand, type ExposureOptions } from './exposure.js';
export { recentSlates, slateExplanation } from './explain.js';
export { dashboardCharts, type DashboardChart } from './charts.js';
export { backtest, computeDemandReport, crostonSba, CROSTON_ALPHA, demandReport, demandTables, lowStockAlertText, type Backtest, type DemandOptions, type DemandReport, type ProductDemand } from './demand.js';
export {
  assignVariant,
  CouponVariantPolicySchema,
  EXPERIMENT_KINDS,
  experimentArms,
  experimentRanker,
  ExperimentSpecSchema,
  exposureEvent,
  ReplyVariantPolicySchema,
  SqliteExperimentStore,
  variantPolicyId,
  type CouponVariantPolicy,
  type Experiment,
  type ExperimentArm,
  type ExperimentArms,
  type ExperimentKind,
  type ExperimentSpec,
  type RankingVariantPolicy,
  type ReplyVariantPolicy,
} from './experiments.js';
export { EXPERIMENT_EVENT_TYPES, experimentResults, relevanceOffPolicy } from './experiment-results.js';
export { createLowStockCheck, scheduleLowStockChecks, type LowStockCheckDeps } from './alerts.js';
