/**
 * Readers for the tabular datasets in their original CSV formats: each row keeps its source line
 * (the split rule hashes it, and the Python peers read the same lines back) and gets features in
 * the form the tree learner reads, with the feature list that says which are numeric.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ShopbotError } from '../../src/errors.js';
import type { TabularRow } from '../../src/learning/gbdt/index.js';

const MAX_ROWS = 2_000_000;

export interface Feature {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
}

export interface LabelledRow {
  readonly line: string;
  readonly features: TabularRow;
  readonly label: number;
  /** The CSV record as read (today's hashed FTRL models read these strings). */
  readonly source: Readonly<Record<string, string>>;
}

export interface UpliftRow extends LabelledRow {
  readonly treated: boolean;
}

export interface Table<R> {
  readonly header: string;
  readonly rows: R[];
  readonly features: readonly Feature[];
}

function readCsv(file: string): { header: string; records: { record: Record<string, string>; line: string }[] } {
  const text = readFileSync(file, 'utf8');
  const header = text.slice(0, text.search(/\r?\n/)).trim();
  const parsed = parse(text, { columns: true, skip_empty_lines: true, raw: true }) as { record: Record<string, string>; raw: string }[];
  if (parsed.length > MAX_ROWS) throw new ShopbotError('BAD_REQUEST', `${file}: more than ${MAX_ROWS} rows`);
  return { header, records: parsed.map((p) => ({ record: p.record, line: p.raw.replace(/\r?\n$/, '') })) };
}

const num = (names: readonly string[]): Feature[] => names.map((name) => ({ name, kind: 'numeric' }));
const cat = (names: readonly string[]): Feature[] => names.map((name) => ({ name, kind: 'categorical' }));

// --- UCI online shoppers (conversion) ---
export const SHOPPER_NUMERIC = ['Administrative', 'Administrative_Duration', 'Informational', 'Informational_Duration', 'ProductRelated', 'ProductRelated_Duration', 'BounceRates', 'ExitRates', 'PageValues', 'SpecialDay'] as const;
export const SHOPPER_CATEGORICAL = ['Month', 'OperatingSystems', 'Browser', 'Region', 'TrafficType', 'VisitorType', 'Weekend'] as const;

export function readShopperTable(file: string): Table<LabelledRow> {
  const { header, records } = readCsv(file);
  if (!header.includes('Revenue') || !header.includes('PageValues')) throw new ShopbotError('BAD_REQUEST', `${file}: not the UCI online shoppers CSV (header lacks Revenue/PageValues)`);
  const rows = records.map(({ record: r, line }) => {
    const f: Record<string, string | number> = {};
    // Empty cells and -1 durations occur in the source; both are missing values, not numbers.
    for (const k of SHOPPER_NUMERIC) {
      const v = r[k] === '' || r[k] === undefined ? Number.NaN : Number(r[k]);
      f[k] = Number.isFinite(v) && v >= 0 ? v : Number.NaN;
    }
    for (const k of SHOPPER_CATEGORICAL) f[k] = String(r[k] ?? '');
    return { line, features: f, label: String(r.Revenue).toUpperCase() === 'TRUE' ? 1 : 0, source: r };
  });
  return { header, rows, features: [...num(SHOPPER_NUMERIC), ...cat(SHOPPER_CATEGORICAL)] };
}

// --- UCI in-vehicle coupon recommendation (acceptance) ---
/** Visit-frequency answers are ordered; as numbers the trees can cut them at any level. */
const FREQUENCY: Readonly<Record<string, number>> = { never: 0, less1: 1, '1~3': 2, '4~8': 3, gt8: 4 };
const FREQUENCY_COLUMNS = ['Bar', 'CoffeeHouse', 'CarryAway', 'RestaurantLessThan20', 'Restaurant20To50'] as const;
/** The frequency question about the coupon's own kind of place. */
const VENUE_COLUMN: Readonly<Record<string, (typeof FREQUENCY_COLUMNS)[number]>> = { 'Restaurant(<20)': 'RestaurantLessThan20', 'Coffee House': 'CoffeeHouse', 'Carry out & Take away': 'CarryAway', Bar: 'Bar', 'Restaurant(20-50)': 'Restaurant20To50' };
const COUPON_NUMERIC = ['temperature', 'has_children', 'toCoupon_GEQ5min', 'toCoupon_GEQ15min', 'toCoupon_GEQ25min', 'direction_same', 'direction_opp'] as const;
const COUPON_CATEGORICAL = ['destination', 'passanger', 'weather', 'couponType', 'expiration', 'gender', 'maritalStatus', 'education', 'occupation', 'cartype'] as const;

function hourOf(t: string | undefined): number {
  const m = /^(\d{1,2})(AM|PM)$/i.exec(t ?? '');
  if (!m) return Number.NaN;
  const h = Number(m[1]) % 12;
  return m[2]!.toUpperCase() === 'PM' ? h + 12 : h;
}

function ageOf(a: string | undefined): number {
  if (a === 'below21') return 20;
  if (a === '50plus') return 55;
  const v = Number(a);
  return a && Number.isFinite(v) ? v : Number.NaN;
}

/** Income bands ("$37500 - $49999", "Less than $12500", "$100000 or More") as their lower bound. */
function incomeOf(s: string | undefined): number {
  if (!s) return Number.NaN;
  if (/less than/i.test(s)) return 0;
  const m = /\$(\d+)/.exec(s);
  return m ? Number(m[1]) : Number.NaN;
}

export function readCouponTable(file: string): Table<LabelledRow> {
  const { header, records } = readCsv(file);
  if (!header.split(',').includes('Y')) throw new ShopbotError('BAD_REQUEST', `${file}: not the in-vehicle coupon CSV (no Y column)`);
  // The copy in evals/data names two columns as the survey did (couponType, cartype); UCI's names are coupon, car.
  const rename = (r: Record<string, string>): Record<string, string> => ({ ...r, couponType: r.couponType ?? r.coupon ?? '', cartype: r.cartype ?? r.car ?? '' });
  const rows = records.map(({ record, line }) => {
    const r = rename(record);
    const f: Record<string, string | number> = {};
    for (const k of COUPON_NUMERIC) f[k] = r[k] === '' || r[k] === undefined ? Number.NaN : Number(r[k]);
    for (const k of FREQUENCY_COLUMNS) f[k] = FREQUENCY[r[k] ?? ''] ?? Number.NaN;
    // How often the respondent goes to the kind of place this coupon is for: the answer the trees
    // would otherwise have to find by crossing the coupon type with five columns (one each).
    f.venueFrequency = FREQUENCY[r[VENUE_COLUMN[r.couponType ?? ''] ?? ''] ?? ''] ?? Number.NaN;
    f.hour = hourOf(r.time);
    f.age = ageOf(r.age);
    f.income = incomeOf(r.income);
    for (const k of COUPON_CATEGORICAL) f[k] = r[k] ?? '';
    return { line, features: f, label: r.Y === '1' ? 1 : 0, source: record };
  });
  return { header, rows, features: [...num([...COUPON_NUMERIC, ...FREQUENCY_COLUMNS, 'venueFrequency', 'hour', 'age', 'income']), ...cat(COUPON_CATEGORICAL)] };
}

// --- Hillstrom e-mail experiment (uplift) ---
export function readHillstromTable(file: string, outcome: 'visit' | 'conversion'): Table<UpliftRow> {
  const { header, records } = readCsv(file);
  if (!header.includes('segment') || !header.includes(outcome)) throw new ShopbotError('BAD_REQUEST', `${file}: not the Hillstrom CSV (segment/${outcome} missing)`);
  const rows = records.map(({ record: r, line }) => ({
    line,
    features: { recency: Number(r.recency), history_segment: r.history_segment ?? '', history: Number(r.history), mens: Number(r.mens), womens: Number(r.womens), zip_code: r.zip_code ?? '', newbie: Number(r.newbie), channel: r.channel ?? '' },
    treated: r.segment !== 'No E-Mail',
    label: r[outcome] === '1' ? 1 : 0,
    source: r,
  }));
  return { header, rows, features: [...num(['recency', 'history', 'mens', 'womens', 'newbie']), ...cat(['history_segment', 'zip_code', 'channel'])] };
}
