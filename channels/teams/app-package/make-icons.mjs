// Regenerates color.png (192x192) and outline.png (32x32, white on transparent) for the Teams app package: node make-icons.mjs
import { deflateSync, crc32 } from 'node:zlib';
import { writeFileSync } from 'node:fs';
function png(w, h, px) { // px(x,y) -> [r,g,b,a]
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const [r,g,b,a] = px(x, y); const i = y * (w * 4 + 1) + 1 + x * 4; raw[i]=r; raw[i+1]=g; raw[i+2]=b; raw[i+3]=a; }
  const chunk = (t, d) => { const o = Buffer.alloc(12 + d.length); o.writeUInt32BE(d.length, 0); o.write(t, 4, 'ascii'); d.copy(o, 8); o.writeUInt32BE(crc32(o.subarray(4, 8 + d.length)), 8 + d.length); return o; };
  const ih = Buffer.alloc(13); ih.writeUInt32BE(w, 0); ih.writeUInt32BE(h, 4); ih[8] = 8; ih[9] = 6;
  return Buffer.concat([Buffer.from([0x89,0x50,0x4e,0x47,0x0d,0x0a,0x1a,0x0a]), chunk('IHDR', ih), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// a shopping bag: body rectangle plus a handle arc, in unit coordinates
function bag(u, v) {
  const body = u > 0.22 && u < 0.78 && v > 0.38 && v < 0.85;
  const dx = u - 0.5, dy = v - 0.38, r = Math.hypot(dx, dy);
  const handle = v < 0.38 && r > 0.13 && r < 0.19;
  return body || handle;
}
writeFileSync(new URL('./color.png', import.meta.url), png(192, 192, (x, y) => bag(x / 192, y / 192) ? [255,255,255,255] : [46,117,182,255]));
writeFileSync(new URL('./outline.png', import.meta.url), png(32, 32, (x, y) => bag((x + 0.5) / 32, (y + 0.5) / 32) ? [255,255,255,255] : [0,0,0,0]));
