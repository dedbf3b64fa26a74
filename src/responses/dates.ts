/** Dates in replies: the store gives calendar days (YYYY-MM-DD); replies write them as people do. */
import type { Lang } from '../messages.js';

const WEEKDAYS_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/**
 * A store date (YYYY-MM-DD) as a person writes it: "Tuesday 8 December", "12月8日 周二". The day
 * is the calendar day the store gave (read as UTC, so no time zone moves it); anything else is kept as given.
 */
export function friendlyDate(ymd: string | undefined, lang: Lang): string | undefined {
  const m = ymd ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd) : null;
  if (!m) return ymd;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return ymd;
  if (lang === 'zh') return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${WEEKDAYS_ZH[d.getUTCDay()]}`;
  const weekday = d.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
  const month = d.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  return `${weekday} ${d.getUTCDate()} ${month}`;
}
