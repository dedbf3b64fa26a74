/**
 * Uplift metrics (definitions as in scikit-uplift): rows are (outcome y in {0,1}, treatment t in
 * {0,1}, predicted uplift u). Curves are evaluated at each distinct predicted value, best first.
 */

interface CurvePoints {
  readonly x: number[];
  readonly y: number[];
}

function cumulative(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>) {
  const n = y.length;
  if (t.length !== n || u.length !== n) throw new RangeError('y, t and uplift differ in length');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => u[b]! - u[a]!);
  const points: { all: number; nt: number; yt: number; nc: number; yc: number }[] = [];
  let nt = 0, yt = 0, nc = 0, yc = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (t[i]! > 0) (nt++, (yt += y[i]!));
    else (nc++, (yc += y[i]!));
    const last = k === n - 1 || u[order[k + 1]!] !== u[i];
    if (last) points.push({ all: k + 1, nt, yt, nc, yc });
  }
  return points;
}

/** Qini curve: Y_t(n) - Y_c(n) * N_t(n) / N_c(n). */
export function qiniCurve(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>): CurvePoints {
  const pts = cumulative(y, t, u);
  return { x: [0, ...pts.map((p) => p.all)], y: [0, ...pts.map((p) => p.yt - (p.nc > 0 ? (p.yc * p.nt) / p.nc : 0))] };
}

/** Uplift curve: (Y_t/N_t - Y_c/N_c) * n. */
export function upliftCurve(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>): CurvePoints {
  const pts = cumulative(y, t, u);
  return {
    x: [0, ...pts.map((p) => p.all)],
    y: [0, ...pts.map((p) => ((p.nt > 0 ? p.yt / p.nt : 0) - (p.nc > 0 ? p.yc / p.nc : 0)) * p.all)],
  };
}

export function trapezoid(c: CurvePoints): number {
  let s = 0;
  for (let i = 1; i < c.x.length; i++) s += ((c.x[i]! - c.x[i - 1]!) * (c.y[i]! + c.y[i - 1]!)) / 2;
  return s;
}

function normalised(curve: CurvePoints, perfect: CurvePoints): number {
  const n = curve.x[curve.x.length - 1]!;
  const end = perfect.y[perfect.y.length - 1]!;
  const baseline = (n * end) / 2;
  return (trapezoid(curve) - baseline) / (trapezoid(perfect) - baseline);
}

/** Normalised Qini coefficient: (model area - random area) / (perfect area - random area); negative effects allowed. */
export function qiniCoefficient(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>): number {
  const ideal = Array.from({ length: y.length }, (_, i) => y[i]! * t[i]! - y[i]! * (1 - t[i]!));
  return normalised(qiniCurve(y, t, u), qiniCurve(y, t, ideal));
}

/** Normalised area under the uplift curve (AUUC), with scikit-uplift's perfect-curve ordering. */
export function auuc(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>): number {
  let crPos = 0, trPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > 0) (t[i]! > 0 ? trPos++ : crPos++);
  const ideal = Array.from({ length: y.length }, (_, i) => 2 * (y[i] === t[i] ? 1 : 0) + (crPos > trPos ? y[i]! : t[i]!));
  return normalised(upliftCurve(y, t, u), upliftCurve(y, t, ideal));
}

/** Treated minus control outcome rate among the top `fraction` by predicted uplift. */
export function upliftAtK(y: ArrayLike<number>, t: ArrayLike<number>, u: ArrayLike<number>, fraction: number): number {
  const n = y.length;
  const k = Math.max(1, Math.ceil(n * fraction));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => u[b]! - u[a]!);
  let nt = 0, yt = 0, nc = 0, yc = 0;
  for (let j = 0; j < k; j++) {
    const i = order[j]!;
    if (t[i]! > 0) (nt++, (yt += y[i]!));
    else (nc++, (yc += y[i]!));
  }
  return (nt > 0 ? yt / nt : Number.NaN) - (nc > 0 ? yc / nc : Number.NaN);
}
