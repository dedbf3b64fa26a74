/**
 * Opens a catalog file as a byte stream, gunzipping `.gz` (by magic bytes, not by name), and counts
 * the raw bytes read so a progress bar can show how far through the file an import is.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ShopbotError } from '../errors.js';

export interface CatalogSource {
  readonly stream: Readable;
  readonly totalBytes: number;
  bytesRead(): number;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function openCatalogSource(file: string): Promise<CatalogSource> {
  let totalBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    totalBytes = stat.size;
  } catch (cause) {
    throw new ShopbotError('INPUT_MISSING', `catalog file ${file}: ${(cause as Error).message}`, { cause });
  }
  const gz = await isGzip(file);
  let read = 0;
  const raw = createReadStream(file);
  const counter = new PassThrough();
  counter.on('data', (chunk: Buffer) => {
    read += chunk.length;
  });
  raw.on('error', (err) => counter.destroy(err));
  raw.pipe(counter);
  let stream: Readable = counter;
  if (gz) {
    const gunzip = createGunzip();
    counter.on('error', (err) => gunzip.destroy(err));
    stream = counter.pipe(gunzip);
  }
  return { stream, totalBytes, bytesRead: () => read };
}

/** Reads a whole stream as UTF-8 text, refusing anything over `maxBytes`. */
export async function readAllText(stream: AsyncIterable<Buffer | string>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxBytes) throw new ShopbotError('BAD_REQUEST', `catalog file is larger than ${maxBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
}
