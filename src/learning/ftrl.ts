/**
 * FTRL-Proximal logistic regression (McMahan et al., "Ad Click Prediction: a View from the
 * Trenches", 2013) over hashed binary features. Weights are never stored: each is computed from
 * (z, n) when read, which is what makes the L1 sparsity and per-coordinate learning rates cheap.
 */
import { ShopbotError } from '../errors.js';

export interface FtrlParams {
  readonly alpha: number;
  readonly beta: number;
  readonly l1: number;
  readonly l2: number;
}

export const DEFAULT_FTRL: FtrlParams = { alpha: 0.1, beta: 1, l1: 0.5, l2: 1 };

export function sigmoid(x: number): number {
  if (x > 35) return 1 - 1e-15;
  if (x < -35) return 1e-15;
  return 1 / (1 + Math.exp(-x));
}

const MAGIC = 0x46545231; // "FTR1"

export class Ftrl {
  readonly z: Float64Array;
  readonly n: Float64Array;
  /** Number of updates applied (also the model's version counter). */
  updates = 0;

  constructor(readonly size: number, readonly params: FtrlParams = DEFAULT_FTRL) {
    this.z = new Float64Array(size);
    this.n = new Float64Array(size);
  }

  weight(i: number): number {
    const z = this.z[i]!;
    const { l1, l2, alpha, beta } = this.params;
    if (z <= l1 && z >= -l1) return 0;
    return -(z - Math.sign(z) * l1) / ((beta + Math.sqrt(this.n[i]!)) / alpha + l2);
  }

  logit(idx: ArrayLike<number>): number {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += this.weight(idx[k]!);
    return s;
  }

  predict(idx: ArrayLike<number>): number {
    return sigmoid(this.logit(idx));
  }

  /** One step with gradient `g` of the loss w.r.t. the logit (binary features, so g_i = g). */
  step(idx: ArrayLike<number>, g: number): void {
    if (!Number.isFinite(g) || g === 0) return;
    const { alpha } = this.params;
    const g2 = g * g;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const w = this.weight(i);
      const n = this.n[i]!;
      const sigma = (Math.sqrt(n + g2) - Math.sqrt(n)) / alpha;
      this.z[i] = this.z[i]! + g - sigma * w;
      this.n[i] = n + g2;
    }
    this.updates++;
  }

  /** Log-loss step on label y; returns the prediction made before the update. */
  train(idx: ArrayLike<number>, y: number, weight = 1): number {
    const p = this.predict(idx);
    this.step(idx, (p - y) * weight);
    return p;
  }

  /** Binary checkpoint: header (magic, size, updates, params) then z and n. */
  toBuffer(): Buffer {
    const header = new Float64Array([MAGIC, this.size, this.updates, this.params.alpha, this.params.beta, this.params.l1, this.params.l2]);
    return Buffer.concat([Buffer.from(header.buffer), Buffer.from(this.z.buffer, this.z.byteOffset, this.z.byteLength), Buffer.from(this.n.buffer, this.n.byteOffset, this.n.byteLength)]);
  }

  static fromBuffer(buf: Buffer): Ftrl {
    const headerBytes = 7 * 8;
    if (buf.length < headerBytes) throw new ShopbotError('MODEL_MISSING', 'FTRL checkpoint truncated');
    const header = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + headerBytes));
    const [magic, size, updates, alpha, beta, l1, l2] = header as unknown as number[];
    if (magic !== MAGIC || !Number.isInteger(size) || buf.length !== headerBytes + size! * 16) {
      throw new ShopbotError('MODEL_MISSING', 'not an FTRL checkpoint (bad header or length)');
    }
    const m = new Ftrl(size!, { alpha: alpha!, beta: beta!, l1: l1!, l2: l2! });
    m.updates = updates!;
    const body = buf.buffer.slice(buf.byteOffset + headerBytes, buf.byteOffset + buf.length);
    m.z.set(new Float64Array(body, 0, size!));
    m.n.set(new Float64Array(body, size! * 8, size!));
    return m;
  }
}
