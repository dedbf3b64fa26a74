import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, layoutBarChart, Raster, renderBarChart } from '../../src/charts/index.js';

/** Independent decoder for the subset we write: checks every CRC with zlib's own crc32. */
function decodePng(png: Buffer): { width: number; height: number; rgb: (x: number, y: number) => number[] } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    expect(png.readUInt32BE(off + 8 + len)).toBe(zlibCrc32(png.subarray(off + 4, off + 8 + len)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      expect(data[9]).toBe(2);
    }
    if (type === 'IDAT') idat.push(Buffer.from(data));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((width * 3 + 1) * height);
  return { width, height, rgb: (x, y) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3)] };
}

describe('png', () => {
  it('crc32 matches zlib', () => {
    const bytes = Buffer.from('IEND shopbot chart');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('round-trips a raster', () => {
    const r = new Raster(5, 4, [10, 20, 30]);
    r.fillRect(1, 1, 2, 2, [200, 0, 0]);
    const img = decodePng(r.toPng());
    expect([img.width, img.height]).toEqual([5, 4]);
    expect(img.rgb(0, 0)).toEqual([10, 20, 30]);
    expect(img.rgb(1, 1)).toEqual([200, 0, 0]);
    expect(img.rgb(3, 3)).toEqual([10, 20, 30]);
  });

  it('rejects absurd sizes', () => {
    expect(() => new Raster(0, 10)).toThrow(RangeError);
    expect(() => new Raster(5000, 5000)).toThrow(RangeError);
  });
});

describe('bar chart', () => {
  it('draws bars proportional to values', () => {
    const input = { title: 'Funnel', bars: [{ label: 'Impressions', value: 1000 }, { label: 'Clicks', value: 250 }, { label: 'Purchases', value: 0 }] };
    const layout = layoutBarChart(input);
    const img = decodePng(renderBarChart(input));
    expect([img.width, img.height]).toEqual([layout.width, layout.height]);
    const [full, quarter, none] = layout.bars;
    expect(quarter!.w / full!.w).toBeCloseTo(0.25, 2);
    expect(none!.w).toBe(0);
    const mid = (b: { x: number; y: number; w: number; h: number }) => [b.x + Math.floor(b.w / 2), b.y + Math.floor(b.h / 2)] as const;
    expect(img.rgb(...mid(full!))).toEqual([46, 117, 182]);
    expect(img.rgb(...mid(quarter!))).toEqual([46, 117, 182]);
    // beyond the short bar lies the grey track, not bar colour
    expect(img.rgb(quarter!.x + quarter!.w + 5, quarter!.y + 2)).toEqual([233, 236, 239]);
  });

  it('validates its input', () => {
    expect(() => renderBarChart({ bars: [] })).toThrow();
    expect(() => renderBarChart({ bars: [{ label: 'x', value: -1 }] })).toThrow();
  });
});
