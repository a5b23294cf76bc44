// A log-linear latency histogram in microseconds: fixed size, cheap to record, mergeable across
// worker processes, about 1.6% relative precision.

const SUB_BUCKETS = 64;
const MAX_EXPONENT = 32;
const SIZE = SUB_BUCKETS * (MAX_EXPONENT + 2);

// Values below 128 us are exact; above, each power of two is split into 64 buckets.
function indexOf(micros: number): number {
  const v = Math.max(0, Math.floor(micros));
  if (v < 2 * SUB_BUCKETS) return v;
  const exponent = Math.min(Math.floor(Math.log2(v)) - 6, MAX_EXPONENT);
  const mantissa = Math.min(Math.floor(v / 2 ** exponent), 2 * SUB_BUCKETS - 1);
  return exponent * SUB_BUCKETS + mantissa;
}

/** The upper edge of a bucket, so percentiles never flatter. */
function valueOf(index: number): number {
  if (index < 2 * SUB_BUCKETS) return index;
  const exponent = Math.floor(index / SUB_BUCKETS) - 1;
  const mantissa = index - exponent * SUB_BUCKETS;
  return (mantissa + 1) * 2 ** exponent - 1;
}

export interface HistogramData {
  counts: number[];
  count: number;
  sum: number;
  max: number;
}

export class Histogram {
  private counts = new Array<number>(SIZE).fill(0);
  count = 0;
  sum = 0;
  max = 0;

  record(micros: number): void {
    this.counts[indexOf(micros)] += 1;
    this.count += 1;
    this.sum += micros;
    if (micros > this.max) this.max = micros;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < SIZE; i++) this.counts[i] += other.counts[i] ?? 0;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  /** Value at quantile q in [0, 1], microseconds; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  toJSON(): HistogramData {
    return { counts: this.counts, count: this.count, sum: this.sum, max: this.max };
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram();
    h.merge(data);
    return h;
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
