/**
 * GBDT + LR (He et al., "Practical Lessons from Predicting Clicks on Ads at Facebook", ADKDD 2014):
 * the leaf each tree sends a row to becomes a one-hot feature of an online FTRL model. The trees,
 * retrained now and then in a worker, find the interactions; the FTRL layer keeps learning from
 * every event between retrains. The boosted score is the FTRL model's offset, so a fresh layer
 * predicts exactly what the trees predict and its weights learn only the correction.
 */
import { ShopbotError } from '../../errors.js';
import { FeatureEncoder, type FeatureRecord } from '../encoder.js';
import { DEFAULT_FTRL, Ftrl, sigmoid, type FtrlParams } from '../ftrl.js';
import { GbdtModel } from './booster.js';

export interface GbdtFtrlOptions {
  /** log2 of the FTRL layer's hashed weights. */
  readonly bits: number;
  /** Default: alpha scaled to the number of trees (see the constructor). */
  readonly ftrl?: FtrlParams;
  /** Hash the raw features beside the leaves (the layer can then correct effects the trees missed). */
  readonly withRaw?: boolean;
}

export class GbdtFtrl {
  readonly encoder: FeatureEncoder;
  readonly ftrl: Ftrl;
  private readonly keys: string[];
  private w = new Float64Array(256);

  constructor(readonly gbdt: GbdtModel, readonly options: GbdtFtrlOptions, ftrl?: Ftrl) {
    this.encoder = new FeatureEncoder({ bits: options.bits, crosses: [], tokenKeys: [] });
    // Every tree adds one active feature, so a step moves the logit by about trees x alpha x gradient:
    // by default alpha shrinks with the forest, keeping one example's step near 0.1 x gradient.
    this.ftrl = ftrl ?? new Ftrl(this.encoder.size, options.ftrl ?? { ...DEFAULT_FTRL, l1: 0, alpha: 0.1 / Math.max(1, gbdt.trees.length) });
    if (this.ftrl.size !== this.encoder.size) throw new ShopbotError('MODEL_MISSING', 'GBDT+FTRL layer size does not match its bits');
    this.keys = gbdt.trees.map((_, t) => `gbdt_t${t}`);
  }

  /** Hashed indices for row i of columns laid out by the trees' schema; `raw` adds the row's own features. */
  indicesAt(columns: readonly Float64Array[], i: number, raw?: FeatureRecord): Uint32Array {
    const leaves = this.gbdt.leafIndicesAt(columns, i);
    const rec: Record<string, string | number> = this.options.withRaw && raw ? { ...raw } : {};
    leaves.forEach((leaf, t) => (rec[this.keys[t]!] = `l${leaf}`));
    return this.encoder.encode(rec);
  }

  predictAt(columns: readonly Float64Array[], i: number, raw?: FeatureRecord): number {
    return sigmoid(this.gbdt.marginAt(columns, i) + this.ftrl.logit(this.indicesAt(columns, i, raw)));
  }

  /** One online step on label y; returns the prediction made before it (progressive validation). */
  trainAt(columns: readonly Float64Array[], i: number, y: number, raw?: FeatureRecord, weight = 1): number {
    const idx = this.indicesAt(columns, i, raw);
    if (this.w.length < idx.length) this.w = new Float64Array(idx.length * 2);
    const p = sigmoid(this.gbdt.marginAt(columns, i) + this.ftrl.logitInto(idx, this.w));
    this.ftrl.stepWith(idx, (p - y) * weight, this.w);
    return p;
  }

  /** Checkpoint: [u32 JSON length][{options, gbdt}][FTRL buffer]. */
  toBuffer(): Buffer {
    const meta = Buffer.from(JSON.stringify({ options: this.options, gbdt: this.gbdt.toJSON() }));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(meta.length, 0);
    return Buffer.concat([head, meta, this.ftrl.toBuffer()]);
  }

  static fromBuffer(buf: Buffer): GbdtFtrl {
    if (buf.length < 4 || buf.length < 4 + buf.readUInt32LE(0)) throw new ShopbotError('MODEL_MISSING', 'GBDT+FTRL checkpoint truncated');
    const len = buf.readUInt32LE(0);
    let meta: { options: GbdtFtrlOptions; gbdt: unknown };
    try {
      meta = JSON.parse(buf.subarray(4, 4 + len).toString('utf8')) as { options: GbdtFtrlOptions; gbdt: unknown };
    } catch (cause) {
      throw new ShopbotError('MODEL_MISSING', 'GBDT+FTRL checkpoint metadata unreadable', { cause });
    }
    return new GbdtFtrl(GbdtModel.fromJSON(meta.gbdt), meta.options, Ftrl.fromBuffer(buf.subarray(4 + len)));
  }
}
