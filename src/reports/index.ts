export { parsePeriod, type Period } from './period.js';
export { computeFunnelReport, summarizeStages, summarizeCoupons, type FunnelReport, type StageSummary, type CouponSummary } from './funnel-report.js';
export { computeNoResultQueries, topNoResultQueries, normalizeQuery, type NoResultQuery } from './no-results.js';
export { computeOpenEscalations, openEscalations, type OpenEscalation } from './escalations.js';
