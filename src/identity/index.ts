/**
 * Identity and sessions: who a request speaks for. Conversation tokens (server-signed, bound to a
 * conversation, its user and an expiry, revocable), store-signed shopper identities, API keys for
 * the store's backend, and the throttled proofs a guest gives about an order.
 */
export { createApiKey, createApiKeyVerifier, hashApiKey, isApiKey, parseApiKeys, API_SCOPES, type ApiKeyEntry, type ApiKeyVerifier, type ApiScope } from './api-keys.js';
export { deriveKey, resolveIdentitySecret, resolveSessionSecret, type KeyPurpose } from './keys.js';
export { createOrderChecks, type CodeSent, type OrderChecks } from './order-checks.js';
export { createSessions, isPlatformConversation, type AuthorizedConversation, type ConversationSession, type Sessions } from './sessions.js';
export { customerUserId, MAX_LIFETIME_SEC, SignedIdentitySchema, signIdentity, verifyIdentity, type Customer, type SignedIdentity } from './shopper.js';
export { createConversationTokens, isConversationToken, type ConversationTokens, type TokenClaims } from './tokens.js';
