/**
 * A dependency-free line chart written to PNG with the project's one encoder (src/charts/png.ts),
 * with a 3x5 pixel font for titles, tick labels and the legend. Enough for learning curves.
 */
import { encodePng } from '../src/charts/png.js';

export interface Series {
  readonly name: string;
  readonly color: readonly [number, number, number];
  readonly points: readonly (readonly [number, number])[];
}

export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

const GLYPHS: Readonly<Record<string, string>> = {
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001001001001', '8': '111101111101111', '9': '111101111001111',
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110', E: '111100110100111',
  F: '111100110100100', G: '011100101101011', H: '101101111101101', I: '111010010010111', J: '001001001101010',
  K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101', O: '010101101101010',
  P: '110101110100100', Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101', Y: '101101010010010',
  Z: '111001010100111', '.': '000000000000010', '%': '101001010100101', '-': '000000111000000', '+': '000010111010000',
  '(': '010100100100010', ')': '010001001001010', '/': '001001010100100', ':': '000010000010000', ' ': '000000000000000',
  '=': '000111000111000', ',': '000000000010100', $: '011110010011110', x: '000101010101000',
};

class Canvas {
  readonly px: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.px = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, c: readonly [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.px[i] = c[0];
    this.px[i + 1] = c[1];
    this.px[i + 2] = c[2];
  }
  rect(x: number, y: number, w: number, h: number, c: readonly [number, number, number]): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, c);
  }
  line(x0: number, y0: number, x1: number, y1: number, c: readonly [number, number, number], thick = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      this.rect(Math.round(x - (thick - 1) / 2), Math.round(y - (thick - 1) / 2), thick, thick, c);
    }
  }
  text(x: number, y: number, s: string, c: readonly [number, number, number], scale = 2): number {
    for (const ch of s) {
      const g = GLYPHS[ch] ?? GLYPHS[ch.toUpperCase()] ?? GLYPHS[' ']!;
      for (let r = 0; r < 5; r++) for (let col = 0; col < 3; col++) if (g[r * 3 + col] === '1') this.rect(x + col * scale, y + r * scale, scale, scale, c);
      x += 4 * scale;
    }
    return x;
  }
}

export { encodePng };

function niceLabel(v: number): string {
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

/** Panels stacked vertically, sharing the x axis; legend under the last panel. */
export function lineChartPng(panels: readonly Panel[], xLabel: string, width = 960, panelHeight = 300): Buffer {
  const legendRows = Math.max(...panels.map((p) => p.series.length));
  const height = panels.length * panelHeight + 40 + legendRows * 16;
  const cv = new Canvas(width, height);
  const ink: [number, number, number] = [30, 30, 30];
  const grid: [number, number, number] = [225, 225, 225];
  const left = 80, right = 20;
  panels.forEach((panel, pi) => {
    const top = pi * panelHeight + 28, bottom = (pi + 1) * panelHeight - 24;
    const pts = panel.series.flatMap((s) => s.points);
    const xMin = Math.min(...pts.map((p) => p[0])), xMax = Math.max(...pts.map((p) => p[0]));
    let yMin = Math.min(...pts.map((p) => p[1])), yMax = Math.max(...pts.map((p) => p[1]));
    if (yMax === yMin) (yMax += 1), (yMin -= 1);
    const pad = (yMax - yMin) * 0.08;
    yMin -= pad;
    yMax += pad;
    const X = (x: number) => left + ((x - xMin) / Math.max(xMax - xMin, 1e-9)) * (width - left - right);
    const Y = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * (bottom - top);
    cv.text(left, top - 20, panel.title, ink);
    for (let t = 0; t <= 4; t++) {
      const yv = yMin + ((yMax - yMin) * t) / 4;
      cv.line(left, Y(yv), width - right, Y(yv), grid);
      cv.text(4, Y(yv) - 5, niceLabel(yv), ink);
      const xv = xMin + ((xMax - xMin) * t) / 4;
      cv.text(X(xv) - 12, bottom + 6, xv.toFixed(0), ink);
    }
    cv.line(left, top, left, bottom, ink);
    cv.line(left, bottom, width - right, bottom, ink);
    for (const s of panel.series) for (let i = 1; i < s.points.length; i++) cv.line(X(s.points[i - 1]![0]), Y(s.points[i - 1]![1]), X(s.points[i]![0]), Y(s.points[i]![1]), s.color, 2);
  });
  const ly = panels.length * panelHeight + 4;
  cv.text(width / 2 - xLabel.length * 4, ly, xLabel, ink);
  panels[panels.length - 1]!.series.forEach((s, i) => {
    cv.rect(left, ly + 22 + i * 16, 24, 8, s.color);
    cv.text(left + 32, ly + 20 + i * 16, s.name, ink);
  });
  return encodePng(width, height, cv.px);
}
