/** The NLU stage's public surface: types, the linear baseline engine, entities and language. */
export * from './types.js';
export { createLinearNlu, openLinearNlu, LINEAR_ENGINE, type LinearNluOptions } from './linear-nlu.js';
export { classify, loadLinearModel, saveLinearModel, predictProba, type Classification, type LinearModel } from './linear.js';
export { extractEntities, type EntityOptions } from './entities.js';
export { detectLang } from './lang.js';
export { trainLinear, DEFAULT_TRAIN, type TrainOptions, type TrainReport } from './train.js';
export {
  DATASET_FORMATS, IntentExampleSchema, loadLabelMap, mapLabel, readBanking77Csv, readBitextCsv, readClincJson, readGenericCsv, readJsonl,
  type DatasetFormat, type IntentExample, type LabelMap, type RawLabelled,
} from './datasets.js';
export { EN_ATTRIBUTE_WORDS, EN_COLORS, EN_NOT_PRODUCT_WORDS } from './lexicon.js';
export { checkLengths, macroF1, perClass, type ClassScores } from './metrics.js';
export { understand } from './understand.js';
export {
  asksAboutAssistant, asksForPerson, isBillingProblem, isCancel, isContinuation, isCorrection, isDeliveryQuestion, isNo, isYes, looksLikeAddress, oneTimeCodeIn, orderIdsIn, returnReasonOf, serviceCueOf, serviceTaskOf,
} from './cues.js';
