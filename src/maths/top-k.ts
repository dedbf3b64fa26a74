/**
 * The k best (id, score) pairs of a stream, in a bounded min-heap: O(n log k) instead of a full
 * sort. Equal scores go to the lower id (the earlier product of a scan), so results are stable.
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  /** The score to beat once the heap is full (-Infinity until then): a scan can skip work below it. */
  get min(): number {
    return this.n < this.k ? -Infinity : this.scores[0]!;
  }

  /** True when (a, i) ranks below (b, j): a lower score, or the same score and a higher id. */
  private worse(a: number, i: number, b: number, j: number): boolean {
    return a < b || (a === b && i > j);
  }

  push(id: number, score: number): void {
    if (this.k === 0) return;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, id, this.scores[parent]!, this.ids[parent]!)) break;
        this.scores[i] = this.scores[parent]!;
        this.ids[i] = this.ids[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.ids[i] = id;
      return;
    }
    if (!this.worse(this.scores[0]!, this.ids[0]!, score, id)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.worse(this.scores[r]!, this.ids[r]!, this.scores[l]!, this.ids[l]!) ? r : l;
      if (!this.worse(this.scores[c]!, this.ids[c]!, score, id)) break;
      this.scores[i] = this.scores[c]!;
      this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.scores[i] = score;
    this.ids[i] = id;
  }

  /** Best first; ties by ascending id. */
  sorted(): { id: number; score: number }[] {
    const out: { id: number; score: number }[] = [];
    for (let i = 0; i < this.n; i++) out.push({ id: this.ids[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
