/** A counter as it stood at instant `t` (a 10-second sample of a broadcast). */
export interface CounterSample {
  t: number;
  value: number;
}

const MINUTE = 60_000;

/**
 * How much a running total grew in each minute: the value at the minute's end minus the
 * value at its start, where a sample holds the value true at its time. Minutes without a
 * sample are 0 (nothing was counted); the result covers every minute from the first
 * sample's to the last one's, oldest first. Same rule as the server's best minute.
 */
export function perMinute(samples: readonly CounterSample[]): { start: number; value: number }[] {
  if (samples.length === 0) return [];
  const minuteOf = (t: number) => Math.floor((t - 1) / MINUTE);
  const first = minuteOf(samples[0]!.t);
  const last = minuteOf(samples.at(-1)!.t);
  const out: { start: number; value: number }[] = [];
  let i = 0;
  let before = 0;
  for (let m = first; m <= last; m++) {
    let end = before;
    while (i < samples.length && minuteOf(samples[i]!.t) === m) end = samples[i++]!.value;
    out.push({ start: m * MINUTE, value: Math.max(0, end - before) });
    before = end;
  }
  return out;
}
