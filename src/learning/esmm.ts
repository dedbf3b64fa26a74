/**
 * CTR x CVR over the entire impression space, in the style of ESMM (Ma et al., SIGIR 2018):
 * pCTCVR = pCTR x pCVR is fitted to "clicked and bought" on every impression, and pCTR to
 * "clicked", so the CVR tower learns from all impressions, not only the clicked ones (no sample
 * selection bias, far less sparsity). Both towers are FTRL logistic models on hashed features.
 *
 * Position bias: the CTR tower sees a position feature during training; serving drops it, so the
 * score is the click propensity with the position effect factored out (the linear form of PAL).
 */
import { ShopbotError } from '../errors.js';
import { FeatureEncoder, type EncoderOptions, type FeatureRecord } from './encoder.js';
import { DEFAULT_FTRL, Ftrl, sigmoid, type FtrlParams } from './ftrl.js';

export const POSITION_KEY = 'pos';

/** Crosses over the keys the ranker logs (see src/ranking/features.ts). */
export const DEFAULT_CROSSES: readonly (readonly [string, string])[] = [
  ['q', 'item'],
  ['q', 'cat'],
  ['q', 'brand'],
  ['intent', 'cat'],
  ['user', 'cat'],
  ['user', 'brand'],
  ['segment', 'price'],
  ['segment', 'cat'],
  ['channel', 'cat'],
];

export interface EsmmOptions {
  readonly encoder: EncoderOptions;
  readonly ftrl?: FtrlParams;
}

export interface Prediction {
  readonly ctr: number;
  readonly cvr: number;
  readonly ctcvr: number;
}

const EXCLUDE_POS: ReadonlySet<string> = new Set([POSITION_KEY]);
const EPS = 1e-7;

export class EsmmModel {
  readonly encoder: FeatureEncoder;
  readonly ctr: Ftrl;
  readonly cvr: Ftrl;

  /** Both towers' [z, sqrt n] pairs for a feature sit side by side: one cache line per feature. */
  readonly state: Float64Array;

  constructor(readonly options: EsmmOptions, state?: Float64Array) {
    this.encoder = new FeatureEncoder(options.encoder);
    const size = this.encoder.size;
    if (state && state.length !== size * 4) throw new ShopbotError('MODEL_MISSING', 'ESMM checkpoint size does not match ranking.hashBits');
    this.state = state ?? new Float64Array(size * 4);
    const params = options.ftrl ?? DEFAULT_FTRL;
    this.ctr = new Ftrl(size, params, { data: this.state, stride: 4, offset: 0 });
    this.cvr = new Ftrl(size, params, { data: this.state, stride: 4, offset: 2 });
  }

  /** Serving score: position dropped. */
  predict(rec: FeatureRecord): Prediction {
    const idx = this.encoder.encode(rec, EXCLUDE_POS);
    const ctr = this.ctr.predict(idx);
    const cvr = this.cvr.predict(idx);
    return { ctr, cvr, ctcvr: ctr * cvr };
  }

  /** Click probability at the logged position (what the click model is evaluated on). */
  predictAtPosition(rec: FeatureRecord): number {
    const idx = this.encoder.encode(rec, EXCLUDE_POS);
    const pos = rec[POSITION_KEY];
    return sigmoid(this.ctr.logit(idx) + (pos === undefined ? 0 : this.ctr.weight(this.encoder.indexOf(POSITION_KEY, pos))));
  }

  private wCtr = new Float64Array(256);
  private wCvr = new Float64Array(256);
  private readonly posIdx = new Uint32Array(1);
  private readonly posW = new Float64Array(1);

  /**
   * One impression. `clicked` and `converted` (bought after the click) are the labels; returns
   * the predictions made before the update (progressive validation). The position feature is a
   * separate term of the CTR tower only (never crossed), so both towers share one encoding.
   */
  train(rec: FeatureRecord, clicked: boolean, converted: boolean, weight = 1): { ctr: number; ctcvr: number } {
    const idx = this.encoder.encode(rec, EXCLUDE_POS);
    if (this.wCtr.length < idx.length) (this.wCtr = new Float64Array(idx.length * 2)), (this.wCvr = new Float64Array(idx.length * 2));
    const pos = rec[POSITION_KEY];
    let ctrLogit = this.ctr.logitInto(idx, this.wCtr);
    if (pos !== undefined) {
      this.posIdx[0] = this.encoder.indexOf(POSITION_KEY, pos);
      ctrLogit += this.ctr.logitInto(this.posIdx, this.posW);
    }
    const pctr = sigmoid(ctrLogit);
    const pcvr = sigmoid(this.cvr.logitInto(idx, this.wCvr));
    const q = Math.min(1 - EPS, Math.max(EPS, pctr * pcvr));
    const y = converted ? 1 : 0;
    // d(logloss(y, pctr*pcvr))/d(logit) for either tower is (1 - p_tower) * ((1-y) q/(1-q) - y).
    const common = (1 - y) * (q / (1 - q)) - y;
    const gCtr = (pctr - (clicked || converted ? 1 : 0) + (1 - pctr) * common) * weight;
    const gCvr = (1 - pcvr) * common * weight;
    this.ctr.stepWith(idx, gCtr, this.wCtr);
    if (pos !== undefined) this.ctr.stepWith(this.posIdx, gCtr, this.posW);
    this.cvr.stepWith(idx, gCvr, this.wCvr);
    return { ctr: pctr, ctcvr: q };
  }

  /** Checkpoint: [u32 meta length][meta JSON][f64 ctr updates][f64 cvr updates][shared state]. */
  toBuffer(): Buffer {
    const meta = Buffer.from(JSON.stringify({ encoder: this.options.encoder, ftrl: this.options.ftrl ?? DEFAULT_FTRL, format: 2 }));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(meta.length, 0);
    const counters = Buffer.from(new Float64Array([this.ctr.updates, this.cvr.updates]).buffer);
    return Buffer.concat([head, meta, counters, Buffer.from(this.state.buffer, this.state.byteOffset, this.state.byteLength)]);
  }

  static fromBuffer(buf: Buffer): EsmmModel {
    if (buf.length < 4) throw new ShopbotError('MODEL_MISSING', 'ESMM checkpoint truncated');
    const metaLen = buf.readUInt32LE(0);
    if (buf.length < 4 + metaLen + 16) throw new ShopbotError('MODEL_MISSING', 'ESMM checkpoint truncated');
    let options: EsmmOptions & { format?: number };
    try {
      options = JSON.parse(buf.subarray(4, 4 + metaLen).toString('utf8')) as EsmmOptions & { format?: number };
    } catch (cause) {
      throw new ShopbotError('MODEL_MISSING', 'ESMM checkpoint metadata unreadable', { cause });
    }
    if (options.format !== 2) throw new ShopbotError('MODEL_MISSING', 'ESMM checkpoint from an older format: retrain with `shopbot train ranking`');
    const body = buf.buffer.slice(buf.byteOffset + 4 + metaLen, buf.byteOffset + buf.length);
    const counters = new Float64Array(body, 0, 2);
    const state = new Float64Array(body.slice(16));
    const m = new EsmmModel({ encoder: options.encoder, ...(options.ftrl ? { ftrl: options.ftrl } : {}) }, state);
    m.ctr.updates = counters[0]!;
    m.cvr.updates = counters[1]!;
    return m;
  }
}
