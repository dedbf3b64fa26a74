/** The demo catalog (the ESCI products `npm start` serves) as the shopper vocabulary, read once per test file. */
import { importEsci, openCatalogSource, type Product } from '../../src/catalog/index.js';
import { openLinearNlu, understand, type Understood } from '../../src/nlu/index.js';
import { createShopperVocabulary, type CatalogVocabulary } from '../../src/retrieval/index.js';

export const DEMO_CATALOG = 'evals/data/esci/ubi_ecommerce_products.json.gz';

export async function demoProducts(): Promise<Product[]> {
  const source = await openCatalogSource(DEMO_CATALOG);
  const out: Product[] = [];
  for await (const row of importEsci(source.stream)) if ('product' in row) out.push(row.product);
  return out;
}

export async function demoVocabulary(): Promise<CatalogVocabulary> {
  return createShopperVocabulary(await demoProducts());
}

/** The shipped linear NLU with the parse builder over the demo catalog's vocabulary: `parse` understands a message as a turn does. */
export async function demoUnderstanding(): Promise<{ vocabulary: CatalogVocabulary; parse: (text: string) => Promise<Understood> }> {
  const [vocabulary, nlu] = await Promise.all([demoVocabulary(), openLinearNlu('models/intent-linear')]);
  return { vocabulary, parse: async (text) => understand(await nlu.parse(text), text, vocabulary) };
}
