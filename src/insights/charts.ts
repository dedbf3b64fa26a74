/**
 * The dashboard's charts, drawn server-side with src/charts (PNG, no client library) and sent as
 * data URIs, which the pages' CSP allows for images.
 */
import { renderBarChart, type BarChartInput } from '../charts/index.js';
import type { MerchantMetrics } from './metrics.js';

export interface DashboardChart {
  readonly key: string;
  readonly title: string;
  /** data:image/png;base64,... */
  readonly src: string;
}

const percent = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

function chart(key: string, input: BarChartInput): DashboardChart | undefined {
  if (input.bars.length === 0) return undefined;
  return { key, title: input.title ?? key, src: `data:image/png;base64,${renderBarChart({ width: 560, ...input }).toString('base64')}` };
}

export function dashboardCharts(m: MerchantMetrics): DashboardChart[] {
  const value = (key: string) => m.metrics.find((x) => x.key === key)?.value ?? null;
  const table = (key: string) => m.tables.find((t) => t.key === key)?.rows ?? [];
  const stages: [string, string][] = [['impression', 'Shown'], ['click', 'Clicked'], ['add_to_cart', 'Cart adds'], ['checkout_started', 'Checkouts'], ['purchase', 'Purchases']];
  const charts = [
    chart('funnel', { title: 'Funnel', bars: stages.map(([k, label]) => ({ label, value: value(`funnel.${k}`) ?? 0 })) }),
    chart('assisted', {
      title: 'Conversion: assisted vs not',
      bars: [
        { label: 'Assisted', value: value('assisted.conversion') ?? 0, display: percent(value('assisted.conversion')) },
        { label: 'Unassisted', value: value('unassisted.conversion') ?? 0, display: percent(value('unassisted.conversion')) },
      ],
    }),
    chart('ctr_by_position', {
      title: 'CTR by position',
      bars: table('recommendations.by_position').slice(0, 10).map((r) => ({ label: `POS ${Number(r[0]) + 1}`, value: Number(r[3] ?? 0), display: percent(r[3] as number | null) })),
    }),
    chart('ratings', { title: 'Conversation ratings', bars: table('feedback.ratings_distribution').map((r) => ({ label: `${r[0]} stars`, value: Number(r[1]) })) }),
  ];
  return charts.filter((c): c is DashboardChart => c !== undefined);
}
