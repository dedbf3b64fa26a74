/**
 * Horizontal bar chart as PNG: one row per bar, label on the left, value text after the bar.
 * Used for the funnel stages in merchant reports (Teams data-URI image, Slack image block).
 */
import { z } from 'zod';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import { Raster, type Rgb } from './png.js';

export const BarChartSchema = z.object({
  title: z.string().max(60).default(''),
  bars: z
    .array(z.object({ label: z.string().max(24), value: z.number().finite().min(0), display: z.string().max(24).optional() }))
    .min(1)
    .max(20),
  width: z.number().int().min(200).max(1600).default(640),
  scale: z.number().int().min(1).max(4).default(2),
});
export type BarChartInput = z.input<typeof BarChartSchema>;

const INK: Rgb = [33, 37, 41];
const BAR: Rgb = [46, 117, 182];
const TRACK: Rgb = [233, 236, 239];

export interface BarChartLayout {
  readonly width: number;
  readonly height: number;
  /** Pixel box of each bar's filled part, for tests and image maps. */
  readonly bars: readonly { x: number; y: number; w: number; h: number }[];
}

export function layoutBarChart(input: BarChartInput): BarChartLayout & { spec: z.infer<typeof BarChartSchema>; labelW: number; rowH: number; top: number; trackW: number } {
  const spec = BarChartSchema.parse(input);
  const s = spec.scale;
  const pad = 8 * s;
  const rowH = (GLYPH_HEIGHT + 6) * s;
  const top = pad + (spec.title ? (GLYPH_HEIGHT + 5) * s : 0);
  const labelW = Math.max(...spec.bars.map((b) => textWidth(b.label, s))) + pad;
  const valueW = Math.max(...spec.bars.map((b) => textWidth(b.display ?? formatValue(b.value), s))) + pad;
  const trackW = Math.max(20, spec.width - 2 * pad - labelW - valueW);
  const max = Math.max(...spec.bars.map((b) => b.value));
  const height = top + spec.bars.length * rowH + pad;
  const bars = spec.bars.map((b, i) => ({
    x: pad + labelW,
    y: top + i * rowH + s,
    w: max > 0 ? Math.round((b.value / max) * trackW) : 0,
    h: rowH - 2 * s,
  }));
  return { spec, width: spec.width, height, bars, labelW, rowH, top, trackW };
}

export function renderBarChart(input: BarChartInput): Buffer {
  const layout = layoutBarChart(input);
  const { spec, labelW, rowH, top, trackW } = layout;
  const s = spec.scale;
  const pad = 8 * s;
  const raster = new Raster(layout.width, layout.height);
  if (spec.title) drawText(raster, spec.title, pad, pad, s, INK);
  spec.bars.forEach((bar, i) => {
    const box = layout.bars[i]!;
    const textY = top + i * rowH + Math.floor((rowH - GLYPH_HEIGHT * s) / 2);
    drawText(raster, bar.label, pad, textY, s, INK);
    raster.fillRect(pad + labelW, box.y, trackW, box.h, TRACK);
    raster.fillRect(box.x, box.y, box.w, box.h, BAR);
    drawText(raster, bar.display ?? formatValue(bar.value), pad + labelW + trackW + pad / 2, textY, s, INK);
  });
  return raster.toPng();
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
