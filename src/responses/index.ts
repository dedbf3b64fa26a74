/**
 * The responses stage's public surface: what the actions return (ActionResult) and the responder
 * that turns it into the reply (templates from src/templates, the grounding checker, the variant
 * ranker and optional LLM wording).
 */
export { couponNotes } from './coupon-notes.js';
export { friendlyDate } from './dates.js';
export { readProductQuestion, type ProductQuestion } from './product-question.js';
export { pickProduct, type ProductQuestionResult } from './product-answers.js';
export { composeReply, toCard, type ActionResult, type OrderSummary, type ServiceResult } from './compose.js';
export { createResponder, type ComposedReply, type GenerateInput, type ReplyGenerator, type ReplyStyle, type Responded, type Responder, type ResponderEvent } from './respond.js';
export { checkGrounding, collectFacts, hostsOf, type GroundingFacts, type GroundingResult, type Violation, type ViolationKind } from './grounding.js';
export { buildUserMessage, createLlmGenerator, loadLlmPrompts, openChatModel, type ChatModelLike } from './llm.js';
export { openVariantRanker, type EmbeddingModel, type VariantChooser, type VariantRanker } from './variants.js';
