import { badRequest } from './status';

/**
 * Faults the simulator can inject so that clients' failure handling can be
 * tested against a live server: a dead API server (no answer at all) and
 * lost write races (409 Conflict). Set at run time with
 * `PUT /_simulator/faults` or `setFaults()` on the handle; see README.md.
 */
export interface SimulatorFaults {
  /** Every API request has its connection closed without an answer, until switched off. */
  unreachable?: boolean;
  /** The next N API requests have their connection closed without an answer. */
  unreachableFor?: number;
  /** The next N PUT/PATCH writes to an existing object (scale subresource included) answer 409 Conflict. */
  conflicts?: number;
}

const NONE: Required<SimulatorFaults> = { unreachable: false, unreachableFor: 0, conflicts: 0 };
const COUNTERS = ['unreachableFor', 'conflicts'] as const;

/** Checks a fault set (from JSON or a caller); throws a 400 ApiError naming the bad field. */
export function parseFaults(input: unknown): Required<SimulatorFaults> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest('expected {"unreachable": true|false, "unreachableFor": <n>, "conflicts": <n>}');
  }
  const fields = input as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !(key in NONE));
  if (unknown !== undefined) throw badRequest(`unknown fault ${JSON.stringify(unknown)} (known: ${Object.keys(NONE).join(', ')})`);
  const faults = { ...NONE };
  if (fields.unreachable !== undefined) {
    if (typeof fields.unreachable !== 'boolean') throw badRequest('unreachable must be true or false');
    faults.unreachable = fields.unreachable;
  }
  for (const counter of COUNTERS) {
    const value = fields[counter];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badRequest(`${counter} must be a non-negative integer`);
    faults[counter] = value;
  }
  return faults;
}

/** The current fault set; the counters count down as requests use them up. */
export class FaultSwitch {
  private faults = { ...NONE };

  /** Replaces the whole set: a fault left out is off. Checks the input (it may come straight from a request body). */
  set(input: unknown): Required<SimulatorFaults> {
    this.faults = parseFaults(input);
    return this.current();
  }

  clear(): Required<SimulatorFaults> {
    this.faults = { ...NONE };
    return this.current();
  }

  current(): Required<SimulatorFaults> {
    return { ...this.faults };
  }

  /** Whether this API request is to be dropped without an answer (uses up one `unreachableFor`). */
  dropRequest(): boolean {
    if (this.faults.unreachable) return true;
    return this.take('unreachableFor');
  }

  /** Whether this write is to lose a made-up race (uses up one `conflicts`). */
  conflictWrite(): boolean {
    return this.take('conflicts');
  }

  private take(counter: (typeof COUNTERS)[number]): boolean {
    if (this.faults[counter] === 0) return false;
    this.faults[counter] -= 1;
    return true;
  }
}
