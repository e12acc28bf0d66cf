/**
 * Defensive readers for tiktok-live-connector payloads. The library hands over the decoded
 * protobuf objects as they are (ts-proto: int64 as decimal strings, int32 as numbers,
 * missing sub-messages as undefined); TikTok changes its schema without notice, so nothing
 * is trusted to have the declared type.
 */

export type Fields = Readonly<Record<string, unknown>>;

export function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : undefined;
}

export function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** An int32 field: a whole number, or undefined. */
export function readInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

const DIGITS = /^\d{1,19}$/;

/**
 * An unsigned int64 field as a number. ts-proto gives a decimal string; a value beyond
 * 2^53 cannot be counted exactly and is refused rather than rounded.
 */
export function readCount(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'bigint')
    return value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  if (typeof value !== 'string' || !DIGITS.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * An int64 identifier kept as its decimal string (ids exceed 2^53). Protobuf's default
 * "0" means "not set", so it is no id.
 */
export function readId(value: unknown): string | undefined {
  const text = typeof value === 'bigint' ? value.toString() : readString(value);
  if (text === undefined || !DIGITS.test(text) || /^0+$/.test(text)) return undefined;
  return text;
}

/** Cuts display text to a bound instead of dropping the whole message for a long name. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  // Never leave half of a surrogate pair (an emoji) at the end.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
