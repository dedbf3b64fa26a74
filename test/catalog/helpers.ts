import { Readable } from 'node:stream';
import type { ImportRow } from '../../src/catalog/index.js';

export const FIXTURES = new URL('../fixtures/catalog/', import.meta.url).pathname;

export function textStream(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

export async function collect(rows: AsyncIterable<ImportRow>): Promise<ImportRow[]> {
  const out: ImportRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

export function products(rows: readonly ImportRow[]) {
  return rows.flatMap((r) => ('product' in r ? [r.product] : []));
}

export function errors(rows: readonly ImportRow[]) {
  return rows.flatMap((r) => ('error' in r ? [r] : []));
}
