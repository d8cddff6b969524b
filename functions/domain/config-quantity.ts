/** Kubernetes resource quantities, parsed exactly (requests must not exceed limits). */

/** An exact quantity: digits × 10^pow10 × 2^pow2, so comparisons never round. */
export interface Quantity {
  digits: bigint;
  pow10: number;
  pow2: number;
}

// Kubernetes' grammar minus the sign: a negative request or limit is never valid.
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Parses "100m", "0.5", "128Mi", "1e3"…; undefined when the text is not a quantity. */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length > 64) return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number = '', binary, decimal, exponent] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let pow10 = -fraction.length;
  let pow2 = 0;
  if (binary) pow2 = BINARY_SUFFIX[binary] ?? 0;
  else if (decimal) pow10 += DECIMAL_SUFFIX[decimal] ?? 0;
  else if (exponent !== undefined) {
    const e = Number(exponent);
    // Bounded so comparing two quantities never builds an enormous bigint.
    if (Math.abs(e) > 100) return undefined;
    pow10 += e;
  }
  return { digits: BigInt(whole + fraction), pow10, pow2 };
}

/** Negative, zero or positive as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  let left = a.digits;
  let right = b.digits;
  // Move each exponent difference onto one side so both stay integers.
  const d10 = a.pow10 - b.pow10;
  if (d10 >= 0) left *= 10n ** BigInt(d10);
  else right *= 10n ** BigInt(-d10);
  const d2 = a.pow2 - b.pow2;
  if (d2 >= 0) left *= 2n ** BigInt(d2);
  else right *= 2n ** BigInt(-d2);
  return left < right ? -1 : left > right ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Validation
