/**
 * What the merchant sees: shopper feedback events, the dashboard's metrics (each with its
 * definition), demand signals with forecasts, experiments, slate explanations and the exposure
 * report. Everything here reads the funnel log; nothing writes to another stage's store.
 */
export { FeedbackSchema, feedbackEvent, type Feedback, type FeedbackContext } from './feedback.js';
export { computeMerchantMetrics, merchantMetrics, metricsCsv, type Cell, type MerchantMetrics, type Metric, type MetricTable, type MetricUnit } from './metrics.js';
export { dashboardCharts, type DashboardChart } from './charts.js';
export { backtest, computeDemandReport, crostonSba, CROSTON_ALPHA, demandReport, demandTables, lowStockAlertText, type Backtest, type DemandOptions, type DemandReport, type ProductDemand } from './demand.js';
export { assignVariant, experimentRanker, experimentResults, ExperimentSpecSchema, relevanceOffPolicy, SqliteExperimentStore, variantPolicyId, type Experiment, type ExperimentSpec, type RankingVariantPolicy } from './experiments.js';
