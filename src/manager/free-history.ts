// Free capacity at recent ticks, for SCALE_IN_DELAY's "the surplus must last" rule. Only the lowest free capacity over
// the window matters, so this is a sliding-window minimum: a sample is dropped once a later one is as low (it can never
// be the minimum again) or once it is older than the window. Free capacity is a whole number of seats bounded by the
// fleet's size, so the samples kept (strictly rising from oldest to newest) are bounded too, however long the window.
import type { FreeSample } from './policy.js';

export class FreeHistory {
  private samples: FreeSample[] = [];

  record(at: number, free: number, windowMs: number): void {
    let keepFrom = 0;
    while (keepFrom < this.samples.length && at - (this.samples[keepFrom] as FreeSample).at >= windowMs) keepFrom += 1;
    const kept = keepFrom > 0 ? this.samples.slice(keepFrom) : this.samples;
    while (kept.length > 0 && (kept[kept.length - 1] as FreeSample).free >= free) kept.pop();
    kept.push({ at, free });
    this.samples = kept;
  }

  /** The kept samples, oldest first: their minimum within the window is the window's minimum. */
  list(): readonly FreeSample[] {
    return this.samples;
  }
}
