// One line of `npm run bench`'s table (bench/run.ts): every bench module's `run()` resolves to a list of these.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The goal as a reader sees it ("≤ 250", "≥ 1000"); empty for figures that only inform. */
  goal: string | number;
  ok: boolean;
}
