/**
 * Report periods from merchant commands: "today", "day", "week", "month", "7d", "30d".
 * Periods are rolling windows ending now (UTC), so the numbers never depend on a timezone guess.
 */
import { ShopbotError } from '../errors.js';

export interface Period {
  readonly label: string;
  readonly fromTs: number;
  /** Exclusive. */
  readonly toTs: number;
}

const DAY_MS = 86_400_000;
const NAMED: Readonly<Record<string, number>> = { today: 1, day: 1, '24h': 1, week: 7, month: 30, quarter: 90 };

export function parsePeriod(text: string | undefined, nowMs: number): Period {
  const t = (text ?? 'week').trim().toLowerCase();
  let days = NAMED[t];
  if (days === undefined) {
    const m = /^(\d{1,3})\s*d(ays?)?$/.exec(t);
    if (m) days = Number(m[1]);
  }
  if (days === undefined || days < 1 || days > 366) {
    throw new ShopbotError('BAD_REQUEST', `unknown period "${t.slice(0, 20)}": use today, week, month or e.g. 14d`);
  }
  return { label: days === 1 ? 'last 24 hours' : `last ${days} days`, fromTs: nowMs - days * DAY_MS, toTs: nowMs + 1 };
}
