/**
 * The privacy stage's public surface: text sanitising at the edge, personal-data masking for what
 * is stored or logged, and retention (scheduled sweeps, forgetting one shopper).
 */
export { sanitizeText, SafeText } from './sanitize.js';
export { findCardNumbers, luhnValid, looksLikeCard, CARD_PLACEHOLDER, SECURITY_CODE_PLACEHOLDER, EXPIRY_PLACEHOLDER } from './cards.js';
export { PHONE_PLACEHOLDER } from './contacts.js';
export { maskPersonalData, maskReply, redactCardNumbers, redactPaymentData } from './mask.js';
export { createPrivacy, scheduleSweeps, SWEEP_INTERVAL_MS, FORGOTTEN_USER_ID, UserIdSchema, type Privacy, type PrivacyStores, type SweepResult, type ForgetResult } from './retention.js';
