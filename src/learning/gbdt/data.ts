/**
 * Tabular data for the tree learner: a schema (numeric or categorical columns, each categorical
 * with its dictionary), rows turned into columns of float64 (NaN = missing; a categorical value is
 * its dictionary code), and the binning that turns columns into small integers (histogram GBDT).
 *
 * Plain arrays only, so a dataset can be posted to a worker thread as transferable buffers.
 */
import { z } from 'zod';

export type FeatureValue = string | number | boolean | null | undefined;
export type TabularRow = Readonly<Record<string, FeatureValue>>;

export const FeatureSpecSchema = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(['numeric', 'categorical']),
  /** Categorical only: code -> value, most frequent first. Values outside it read as missing. */
  categories: z.array(z.string().max(500)).max(10_000).optional(),
});
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;

/** Words that mean "no value" in the datasets' CSVs. */
const MISSING_WORDS: ReadonlySet<string> = new Set(['', 'na', 'nan', 'null', 'missing']);

export interface SchemaOptions {
  /** Rarer categories than the most frequent `maxCategories` read as missing (bounds the histogram). */
  readonly maxCategories?: number;
  /** A category seen fewer times than this reads as missing: too rare to learn a split from. */
  readonly minCategoryCount?: number;
}

/** Builds the schema from training rows: dictionaries come from these rows only, never from tuning or report rows. */
export function buildSchema(features: readonly { name: string; kind: 'numeric' | 'categorical' }[], rows: readonly TabularRow[], options: SchemaOptions = {}): FeatureSpec[] {
  const maxCategories = options.maxCategories ?? 250;
  const minCount = options.minCategoryCount ?? 1;
  return features.map((f) => {
    if (f.kind === 'numeric') return { name: f.name, kind: 'numeric' as const };
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = categoryOf(r[f.name]);
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // Ties broken by the value so the dictionary does not depend on row order.
    const categories = [...counts]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxCategories)
      .map(([v]) => v);
    return { name: f.name, kind: 'categorical' as const, categories };
  });
}

function categoryOf(v: FeatureValue): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v);
  return MISSING_WORDS.has(s.trim().toLowerCase()) ? undefined : s;
}

export function numericOf(v: FeatureValue): number {
  if (v === null || v === undefined) return Number.NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (MISSING_WORDS.has(v.trim().toLowerCase())) return Number.NaN;
  const x = Number(v);
  return Number.isFinite(x) ? x : Number.NaN;
}

/** Turns one value into the float the model reads (a dictionary code for categoricals). */
export type ValueEncoder = (v: FeatureValue) => number;

export function valueEncoders(schema: readonly FeatureSpec[]): ValueEncoder[] {
  return schema.map((f) => {
    if (f.kind === 'numeric') return numericOf;
    const codes = new Map((f.categories ?? []).map((c, i) => [c, i]));
    return (v) => {
      const c = categoryOf(v);
      const code = c === undefined ? undefined : codes.get(c);
      return code === undefined ? Number.NaN : code;
    };
  });
}

/** Rows to columns (NaN = missing or unseen). */
export function toColumns(schema: readonly FeatureSpec[], rows: readonly TabularRow[]): Float64Array[] {
  const enc = valueEncoders(schema);
  return schema.map((f, j) => {
    const col = new Float64Array(rows.length);
    const e = enc[j]!;
    for (let i = 0; i < rows.length; i++) col[i] = e(rows[i]![f.name]);
    return col;
  });
}

/**
 * Per feature: the number of value bins and, for numeric features, the upper bound of each bin
 * but the last (x <= bounds[b] falls in bin b or lower). The missing bin is `valueBins`.
 */
export interface FeatureBins {
  readonly valueBins: number;
  readonly bounds: Float64Array;
  readonly categorical: boolean;
}

/** Bin edges from one numeric column: every distinct value when few, else quantiles (cut midway between neighbours). */
export function numericBins(col: Float64Array, maxBins: number): FeatureBins {
  const values: number[] = [];
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i]!)) values.push(col[i]!);
  values.sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of values) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  const bounds: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) bounds.push((distinct[i - 1]! + distinct[i]!) / 2);
  } else {
    const n = values.length;
    for (let j = 1; j < maxBins; j++) {
      const k = Math.floor((j * n) / maxBins);
      const lo = values[k - 1]!;
      const hi = values[k]!;
      if (lo === hi) continue;
      const b = (lo + hi) / 2;
      if (bounds.length === 0 || b > bounds[bounds.length - 1]!) bounds.push(b);
    }
  }
  return { valueBins: Math.max(1, bounds.length + 1), bounds: Float64Array.from(bounds), categorical: false };
}

export function binOf(fb: FeatureBins, x: number): number {
  if (Number.isNaN(x)) return fb.valueBins;
  if (fb.categorical) return x >= 0 && x < fb.valueBins ? x : fb.valueBins;
  const b = fb.bounds;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= b[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function featureBins(schema: readonly FeatureSpec[], columns: readonly Float64Array[], maxBins: number): FeatureBins[] {
  return schema.map((f, j) =>
    f.kind === 'categorical' ? { valueBins: Math.max(1, f.categories?.length ?? 0), bounds: new Float64Array(0), categorical: true } : numericBins(columns[j]!, maxBins),
  );
}

/** Binned columns; the missing bin of feature j is bins[j].valueBins. */
export function binColumns(bins: readonly FeatureBins[], columns: readonly Float64Array[]): Uint16Array[] {
  return columns.map((col, j) => {
    const fb = bins[j]!;
    const out = new Uint16Array(col.length);
    for (let i = 0; i < col.length; i++) out[i] = binOf(fb, col[i]!);
    return out;
  });
}
