/**
 * The ESCI sample catalog (gzip JSON Lines, one product per line). The row field `query_id` is
 * dataset bookkeeping (which queries judged the product): the schema below does not declare it,
 * so zod strips it and it is never read, indexed or stored.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { demoPriceCents, demoStock } from './demo.js';
import { MAX_ROW_CHARS, nonEmpty, rowError, splitList, validateProduct, type ImportRow } from './import-row.js';
import type { ProductInput } from './product.js';

const EsciRowSchema = z.object({
  asin: z.string().min(1).max(200).optional(),
  _id: z.string().min(1).max(200).optional(),
  title: z.string(),
  description: z.string().nullish(),
  bullet_points: z.string().nullish(),
  brand: z.string().nullish(),
  color: z.string().nullish(),
  category: z.array(z.string()).nullish(),
  price: z.number().nullish(),
  rating: z.number().nullish(),
  rating_count: z.number().int().nullish(),
  image: z.string().nullish(),
});

function toProduct(r: z.infer<typeof EsciRowSchema>): ProductInput {
  const id = (r.asin ?? r._id)!;
  const category = (r.category ?? []).map((c) => c.trim()).filter(Boolean);
  // ESCI-S stores unknown prices as null and a few as 0.0; neither is a real shelf price.
  const hasPrice = typeof r.price === 'number' && r.price > 0;
  const stock = demoStock(id);
  return {
    id,
    title: r.title.trim(),
    description: r.description?.trim() ?? '',
    bullets: splitList(r.bullet_points ?? '', '\n'),
    brand: nonEmpty(r.brand),
    color: nonEmpty(r.color),
    category,
    priceCents: hasPrice ? Math.round(r.price! * 100) : demoPriceCents(id, category),
    currency: 'USD',
    availability: stock > 0 ? 'in_stock' : 'out_of_stock',
    stock,
    rating: r.rating ?? undefined,
    ratingCount: r.rating_count ?? undefined,
    imageUrl: nonEmpty(r.image),
    demo: hasPrice ? ['stock'] : ['price', 'stock'],
    source: 'esci',
  };
}

export async function* importEsci(input: Readable): AsyncIterable<ImportRow> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    row++;
    if (line.trim() === '') continue;
    if (line.length > MAX_ROW_CHARS) {
      yield rowError(row, `line longer than ${MAX_ROW_CHARS} characters`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      yield rowError(row, `invalid JSON: ${(err as Error).message.slice(0, 120)}`);
      continue;
    }
    const parsed = EsciRowSchema.safeParse(json);
    if (!parsed.success) {
      yield rowError(row, parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; '));
      continue;
    }
    if (!parsed.data.asin && !parsed.data._id) {
      yield rowError(row, 'asin: missing');
      continue;
    }
    yield validateProduct(row, toProduct(parsed.data));
  }
}
