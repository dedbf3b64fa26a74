/** The shapes every dashboard figure takes: a metric with its definition, or a table. */
export type MetricUnit = 'count' | 'ratio' | 'cents' | 'ms' | 'score' | 'days';

export interface Metric {
  readonly key: string;
  readonly section: string;
  readonly label: string;
  /** null when the period has nothing to compute it from (no denominator). */
  readonly value: number | null;
  readonly unit: MetricUnit;
  readonly definition: string;
  readonly ci95?: readonly [number, number];
}

export type Cell = string | number | null;

export interface MetricTable {
  readonly key: string;
  readonly section: string;
  readonly title: string;
  readonly definition: string;
  readonly columns: readonly string[];
  /** How each column's numbers read, where the column name does not say. */
  readonly units?: readonly (MetricUnit | null)[];
  readonly rows: readonly (readonly Cell[])[];
}
