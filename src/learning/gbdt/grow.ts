/**
 * Growing one tree on binned data, leaf-wise (best-first, as LightGBM does): the leaf whose best
 * split gains most is split next, until the leaf limit, the depth limit or no split gains enough.
 * Each leaf keeps a gradient/hessian/count histogram per feature; a split builds the histogram of
 * the smaller child and gets the larger one by subtracting it from the parent's (half the work).
 *
 * Split gain with L2 regularisation lambda (XGBoost/LightGBM):
 *   gain = GL^2/(HL+lambda) + GR^2/(HR+lambda) - G^2/(H+lambda),  leaf value = -G/(H+lambda).
 * Missing values sit in their own bin; each numeric threshold is tried with them on either side,
 * so the default direction is learned. Categorical features split LightGBM-style: categories
 * sorted by G/(H+catSmooth) and cut into two groups (one-vs-rest when there are few).
 */
import type { FeatureBins } from './data.js';
import type { TreeJson } from './tree.js';

export interface GrowParams {
  readonly numLeaves: number;
  /** <= 0: no depth limit (the leaf limit still bounds the tree). */
  readonly maxDepth: number;
  readonly minDataInLeaf: number;
  readonly minSumHessianInLeaf: number;
  readonly lambdaL2: number;
  readonly minGainToSplit: number;
  /** Extra L2 on categorical splits, which fit more easily than numeric ones. */
  readonly catL2: number;
  readonly catSmooth: number;
  readonly maxCatThreshold: number;
  readonly maxCatToOnehot: number;
  readonly minDataPerCategory: number;
}

export interface GrowInput {
  readonly bins: readonly Uint16Array[];
  readonly featureBins: readonly FeatureBins[];
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** Rows this tree learns from (the bag). */
  readonly rows: Uint32Array;
  /** Features this tree may split on (feature subsampling). */
  readonly features: readonly number[];
  readonly shrinkage: number;
}

interface Split {
  gain: number;
  feature: number;
  thresholdBin: number;
  threshold: number;
  defaultLeft: boolean;
  catLeft: number[] | null;
  gl: number;
  hl: number;
  cl: number;
}

interface Leaf {
  id: number;
  rows: Uint32Array;
  hist: Float64Array;
  g: number;
  h: number;
  c: number;
  depth: number;
  parent: number;
  isLeft: boolean;
  split: Split | undefined;
}

export class TreeGrower {
  private readonly offsets: Int32Array;
  private readonly totalBins: number;

  constructor(private readonly featureBins: readonly FeatureBins[], private readonly params: GrowParams) {
    this.offsets = new Int32Array(featureBins.length);
    let off = 0;
    featureBins.forEach((fb, j) => {
      this.offsets[j] = off;
      off += fb.valueBins + 1;
    });
    this.totalBins = off;
  }

  private buildHist(input: GrowInput, rows: Uint32Array, hist: Float64Array): void {
    hist.fill(0);
    const { grad, hess, bins } = input;
    for (const f of input.features) {
      const col = bins[f]!;
      const base = this.offsets[f]! * 3;
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const j = base + col[r]! * 3;
        hist[j] = hist[j]! + grad[r]!;
        hist[j + 1] = hist[j + 1]! + hess[r]!;
        hist[j + 2] = hist[j + 2]! + 1;
      }
    }
  }

  private okSides(hl: number, cl: number, hr: number, cr: number): boolean {
    const p = this.params;
    return cl >= p.minDataInLeaf && cr >= p.minDataInLeaf && hl >= p.minSumHessianInLeaf && hr >= p.minSumHessianInLeaf;
  }

  private bestSplit(input: GrowInput, leaf: Leaf): Split | undefined {
    const p = this.params;
    const { g: G, h: H, c: C, hist } = leaf;
    let best: Split | undefined;
    const consider = (gain: number, s: Omit<Split, 'gain'>) => {
      if (gain > p.minGainToSplit && (!best || gain > best.gain)) best = { gain, ...s };
    };
    for (const f of input.features) {
      const fb = this.featureBins[f]!;
      const nb = fb.valueBins;
      const base = this.offsets[f]! * 3;
      const mj = base + nb * 3;
      if (!fb.categorical) {
        const gm = hist[mj]!, hm = hist[mj + 1]!, cm = hist[mj + 2]!;
        const lambda = p.lambdaL2;
        const parent = (G * G) / (H + lambda);
        let gl = 0, hl = 0, cl = 0;
        for (let t = 0; t < nb - 1; t++) {
          const j = base + t * 3;
          gl += hist[j]!;
          hl += hist[j + 1]!;
          cl += hist[j + 2]!;
          for (const missingLeft of cm > 0 ? [false, true] : [false]) {
            const GL = missingLeft ? gl + gm : gl;
            const HL = missingLeft ? hl + hm : hl;
            const CL = missingLeft ? cl + cm : cl;
            const GR = G - GL, HR = H - HL, CR = C - CL;
            if (!this.okSides(HL, CL, HR, CR)) continue;
            const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
            // No missing value reached this node: send future ones to the side that saw more rows.
            const defaultLeft = cm > 0 ? missingLeft : CL >= CR;
            consider(gain, { feature: f, thresholdBin: t, threshold: fb.bounds[t]!, defaultLeft, catLeft: null, gl: GL, hl: HL, cl: CL });
          }
        }
        continue;
      }
      const lambda = p.lambdaL2 + p.catL2;
      const parent = (G * G) / (H + lambda);
      const used: number[] = [];
      for (let b = 0; b < nb; b++) if (hist[base + b * 3 + 2]! >= p.minDataPerCategory) used.push(b);
      if (used.length === 0) continue;
      const tryGroup = (group: number[]) => {
        let GL = 0, HL = 0, CL = 0;
        for (const b of group) {
          const j = base + b * 3;
          GL += hist[j]!;
          HL += hist[j + 1]!;
          CL += hist[j + 2]!;
        }
        const GR = G - GL, HR = H - HL, CR = C - CL;
        if (!this.okSides(HL, CL, HR, CR)) return;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
        consider(gain, { feature: f, thresholdBin: -1, threshold: 0, defaultLeft: false, catLeft: [...group].sort((a, b) => a - b), gl: GL, hl: HL, cl: CL });
      };
      if (used.length <= p.maxCatToOnehot) {
        for (const b of used) tryGroup([b]);
        continue;
      }
      const ratio = (b: number) => hist[base + b * 3]! / (hist[base + b * 3 + 1]! + p.catSmooth);
      const sorted = [...used].sort((a, b) => ratio(a) - ratio(b) || a - b);
      const limit = Math.min(p.maxCatThreshold, sorted.length - 1);
      for (let k = 1; k <= limit; k++) {
        tryGroup(sorted.slice(0, k));
        tryGroup(sorted.slice(sorted.length - k));
      }
    }
    return best;
  }

  private goesLeft(input: GrowInput, s: Split, r: number): boolean {
    const fb = this.featureBins[s.feature]!;
    const b = input.bins[s.feature]![r]!;
    if (b === fb.valueBins) return s.defaultLeft;
    if (s.catLeft) return s.catLeft.includes(b);
    return b <= s.thresholdBin;
  }

  grow(input: GrowInput): TreeJson {
    const p = this.params;
    const tree: TreeJson = { feature: [], threshold: [], thresholdBin: [], defaultLeft: [], catLeft: [], left: [], right: [], leafValue: [], gain: [] };
    const rootHist = new Float64Array(this.totalBins * 3);
    this.buildHist(input, input.rows, rootHist);
    let g = 0, h = 0;
    for (let k = 0; k < input.rows.length; k++) {
      const r = input.rows[k]!;
      g += input.grad[r]!;
      h += input.hess[r]!;
    }
    const root: Leaf = { id: 0, rows: input.rows, hist: rootHist, g, h, c: input.rows.length, depth: 0, parent: -1, isLeft: false, split: undefined };
    const canSplit = (l: Leaf) => (p.maxDepth <= 0 || l.depth < p.maxDepth) && l.c >= 2 * p.minDataInLeaf;
    if (canSplit(root)) root.split = this.bestSplit(input, root);
    const leaves: Leaf[] = [root];
    while (leaves.length < p.numLeaves) {
      let pick: Leaf | undefined;
      for (const l of leaves) if (l.split && (!pick || l.split.gain > pick.split!.gain)) pick = l;
      if (!pick) break;
      const s = pick.split!;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (let k = 0; k < pick.rows.length; k++) {
        const r = pick.rows[k]!;
        (this.goesLeft(input, s, r) ? leftRows : rightRows).push(r);
      }
      const node = tree.feature.length;
      const rightId = leaves.length;
      tree.feature.push(s.feature);
      tree.threshold.push(s.threshold);
      tree.thresholdBin.push(s.thresholdBin);
      tree.defaultLeft.push(s.defaultLeft);
      tree.catLeft.push(s.catLeft);
      tree.left.push(~pick.id);
      tree.right.push(~rightId);
      tree.gain.push(s.gain);
      if (pick.parent >= 0) (pick.isLeft ? tree.left : tree.right)[pick.parent] = node;
      const left: Leaf = { id: pick.id, rows: Uint32Array.from(leftRows), hist: pick.hist, g: s.gl, h: s.hl, c: s.cl, depth: pick.depth + 1, parent: node, isLeft: true, split: undefined };
      const right: Leaf = { id: rightId, rows: Uint32Array.from(rightRows), hist: pick.hist, g: pick.g - s.gl, h: pick.h - s.hl, c: pick.c - s.cl, depth: pick.depth + 1, parent: node, isLeft: false, split: undefined };
      // The smaller child's histogram is built; the larger one is the parent's minus it, in place.
      const [small, large] = left.rows.length <= right.rows.length ? [left, right] : [right, left];
      small.hist = new Float64Array(this.totalBins * 3);
      this.buildHist(input, small.rows, small.hist);
      const ph = pick.hist;
      const sh = small.hist;
      for (let j = 0; j < ph.length; j++) ph[j] = ph[j]! - sh[j]!;
      large.hist = ph;
      leaves[pick.id] = left;
      leaves.push(right);
      for (const l of [left, right]) l.split = canSplit(l) ? this.bestSplit(input, l) : undefined;
    }
    tree.leafValue = new Array<number>(leaves.length);
    for (const l of leaves) tree.leafValue[l.id] = (-l.g / (l.h + p.lambdaL2)) * input.shrinkage;
    return tree;
  }
}
