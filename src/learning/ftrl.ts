/**
 * FTRL-Proximal logistic regression (McMahan et al., "Ad Click Prediction: a View from the
 * Trenches", 2013) over hashed binary features. Weights are never stored: each is computed from
 * (z, sqrt n) when read, which is what makes the L1 sparsity and per-coordinate learning rates cheap.
 *
 * Layout: one Float64Array of interleaved [z, sqrt(n)] pairs, so a feature costs one cache line
 * instead of two, and storing sqrt(n) saves two square roots per update. Several towers over the
 * same features can share one array (stride 2 x towers), so one cache line serves all of them.
 */
import { ShopbotError } from '../errors.js';

export interface FtrlParams {
  readonly alpha: number;
  readonly beta: number;
  readonly l1: number;
  readonly l2: number;
}

export const DEFAULT_FTRL: FtrlParams = { alpha: 0.2, beta: 1, l1: 0.05, l2: 1 };

export function sigmoid(x: number): number {
  if (x > 35) return 1 - 1e-15;
  if (x < -35) return 1e-15;
  return 1 / (1 + Math.exp(-x));
}

const MAGIC = 0x46545232; // "FTR2"
const HEADER_VALUES = 7;

export interface SharedState {
  readonly data: Float64Array;
  /** Doubles per feature across all towers sharing `data` (2 per tower). */
  readonly stride: number;
  /** Where this tower's [z, sqrt n] pair sits within a feature's stride. */
  readonly offset: number;
}

export class Ftrl {
  /** Interleaved state: zs[i*stride + off] = z_i, the next double = sqrt(n_i). */
  readonly zs: Float64Array;
  private readonly stride: number;
  private readonly off: number;
  /** Number of updates applied (also the model's version counter). */
  updates = 0;
  private scratch = new Float64Array(256);

  constructor(readonly size: number, readonly params: FtrlParams = DEFAULT_FTRL, shared?: SharedState) {
    if (shared && shared.data.length !== size * shared.stride) throw new RangeError('shared FTRL state has the wrong length');
    this.zs = shared?.data ?? new Float64Array(size * 2);
    this.stride = shared?.stride ?? 2;
    this.off = shared?.offset ?? 0;
  }

  get isShared(): boolean {
    return this.stride !== 2;
  }

  weight(i: number): number {
    const j = i * this.stride + this.off;
    const z = this.zs[j]!;
    const { l1, l2, alpha, beta } = this.params;
    if (z <= l1 && z >= -l1) return 0;
    return -(z - (z > 0 ? l1 : -l1)) / ((beta + this.zs[j + 1]!) / alpha + l2);
  }

  logit(idx: ArrayLike<number>): number {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += this.weight(idx[k]!);
    return s;
  }

  predict(idx: ArrayLike<number>): number {
    return sigmoid(this.logit(idx));
  }

  /** Logit, writing each weight read into `w` so a following `stepWith` need not recompute it. */
  logitInto(idx: ArrayLike<number>, w: Float64Array): number {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += w[k] = this.weight(idx[k]!);
    return s;
  }

  /** One step with gradient `g` of the loss w.r.t. the logit (binary features, so g_i = g). */
  step(idx: ArrayLike<number>, g: number): void {
    const w = this.scratch.length >= idx.length ? this.scratch : (this.scratch = new Float64Array(idx.length * 2));
    for (let k = 0; k < idx.length; k++) w[k] = this.weight(idx[k]!);
    this.stepWith(idx, g, w);
  }

  /** `step` with the weights `logitInto` just read (the hot path of training). */
  stepWith(idx: ArrayLike<number>, g: number, w: Float64Array): void {
    if (!Number.isFinite(g) || g === 0) return;
    const alpha = this.params.alpha;
    const g2 = g * g;
    const zs = this.zs;
    const stride = this.stride;
    const off = this.off;
    for (let k = 0; k < idx.length; k++) {
      const j = idx[k]! * stride + off;
      const sn = zs[j + 1]!;
      const sn2 = Math.sqrt(sn * sn + g2);
      zs[j] = zs[j]! + g - ((sn2 - sn) / alpha) * w[k]!;
      zs[j + 1] = sn2;
    }
    this.updates++;
  }

  /** Log-loss step on label y; returns the prediction made before the update. */
  train(idx: ArrayLike<number>, y: number, weight = 1): number {
    const w = this.scratch.length >= idx.length ? this.scratch : (this.scratch = new Float64Array(idx.length * 2));
    const p = sigmoid(this.logitInto(idx, w));
    this.stepWith(idx, (p - y) * weight, w);
    return p;
  }

  /** Binary checkpoint: header (magic, size, updates, params) then the interleaved state. */
  toBuffer(): Buffer {
    if (this.isShared) throw new ShopbotError('INTERNAL', 'a tower sharing its state is saved by its owner');
    const header = new Float64Array([MAGIC, this.size, this.updates, this.params.alpha, this.params.beta, this.params.l1, this.params.l2]);
    return Buffer.concat([Buffer.from(header.buffer), Buffer.from(this.zs.buffer, this.zs.byteOffset, this.zs.byteLength)]);
  }

  static fromBuffer(buf: Buffer): Ftrl {
    const headerBytes = HEADER_VALUES * 8;
    if (buf.length < headerBytes) throw new ShopbotError('MODEL_MISSING', 'FTRL checkpoint truncated');
    const header = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + headerBytes));
    const [magic, size, updates, alpha, beta, l1, l2] = header as unknown as number[];
    if (magic !== MAGIC || !Number.isInteger(size) || buf.length !== headerBytes + size! * 16) {
      throw new ShopbotError('MODEL_MISSING', 'not an FTRL checkpoint (bad header or length)');
    }
    const m = new Ftrl(size!, { alpha: alpha!, beta: beta!, l1: l1!, l2: l2! });
    m.updates = updates!;
    m.zs.set(new Float64Array(buf.buffer.slice(buf.byteOffset + headerBytes, buf.byteOffset + buf.length)));
    return m;
  }
}
