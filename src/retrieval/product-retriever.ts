/**
 * What a turn's search action asks of retrieval: products for a query (filters applied inside the
 * search), and the catalog brands, colours and categories a message mentions.
 */
import { translateQuery } from './glossary.js';
import type { RetrievalQuery, Retriever } from './hybrid.js';
import type { SearchHit } from './types.js';
import type { CatalogVocabulary, VocabularyExtraction } from './vocabulary.js';

/** Catalog terms found in a message (the NLU's CatalogTerms): brands, colours, product and attribute words, corrections. */
export type CatalogMentions = VocabularyExtraction;

export interface ProductRetriever {
  search(request: RetrievalQuery & { signal?: AbortSignal }): Promise<SearchHit[]>;
  mentions(text: string): CatalogMentions;
}

/** The shopper-facing retriever over the hybrid (or lexical-only) retriever and the catalog vocabulary. */
export function createProductRetriever(deps: { readonly retriever: Retriever; readonly vocabulary: CatalogVocabulary }): ProductRetriever {
  return {
    async search({ text: asked, signal, ...request }) {
      // The catalog is in English: a Chinese query also searches for the English words of its terms.
      const translated = /\p{Script=Han}/u.test(asked) ? translateQuery(asked) : '';
      const text = translated ? `${asked} ${translated}` : asked;
      const result = await deps.retriever.search({ ...request, text }, signal ? { signal } : {});
      return [...result.hits];
    },
    mentions: (text) => deps.vocabulary.extract(text),
  };
}
