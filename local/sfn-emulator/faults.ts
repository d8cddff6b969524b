import * as z from 'zod';
import { SfnServiceError } from './errors';

/**
 * The fault switch: makes the next `count` calls of some API operations fail, for fault-injection
 * tests of a caller. Each HTTP request counts, so an SDK that retries (the AWS SDK v3 makes up to 3
 * attempts for 5xx, throttling and connection errors) uses up one count per attempt. A failed call
 * changes nothing: it is answered before the operation runs.
 */
export const FAULT_KINDS = ['ServiceUnavailable', 'ThrottlingException', 'InternalFailure', 'connection-reset'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** Operation names (`SendTaskSuccess`, ...); omitted = every operation. */
  operations?: string[];
  /** How many calls fail (each retry attempt is a call). */
  count: number;
  error: FaultKind;
}

export interface ArmedFaults {
  operations: string[] | null;
  remaining: number;
  error: FaultKind;
}

export const faultSpecSchema = z.object({
  operations: z.array(z.string()).min(1).optional(),
  count: z.number().int().positive(),
  error: z.enum(FAULT_KINDS),
});

export class FaultSwitch {
  private armed: ArmedFaults | undefined;

  constructor(private readonly knownOperations: readonly string[]) {}

  /** Replaces whatever was armed. Throws on an unknown operation name (a typo would silently never fire). */
  arm(spec: FaultSpec): ArmedFaults {
    const { operations, count, error } = faultSpecSchema.parse(spec);
    const unknown = operations?.filter((operation) => !this.knownOperations.includes(operation)) ?? [];
    if (unknown.length > 0) throw new Error(`Unknown operation(s) ${unknown.join(', ')}; known: ${this.knownOperations.join(', ')}`);
    this.armed = { operations: operations ?? null, remaining: count, error };
    return { ...this.armed };
  }

  clear(): void {
    this.armed = undefined;
  }

  status(): ArmedFaults | null {
    return this.armed ? { ...this.armed } : null;
  }

  /** Uses up one failure for a call of `operation`, if one is armed for it. */
  take(operation: string): FaultKind | undefined {
    const armed = this.armed;
    if (!armed || (armed.operations !== null && !armed.operations.includes(operation))) return undefined;
    armed.remaining--;
    if (armed.remaining <= 0) this.armed = undefined;
    return armed.error;
  }
}

/** The API error a fault answers with, shaped like the service's (connection-reset has none: the socket is destroyed). */
export function faultError(kind: Exclude<FaultKind, 'connection-reset'>): SfnServiceError {
  switch (kind) {
    case 'ServiceUnavailable':
      return new SfnServiceError('ServiceUnavailable', 'Service Unavailable (injected by the emulator fault switch)', 503);
    case 'InternalFailure':
      return new SfnServiceError('InternalFailure', 'Internal Failure (injected by the emulator fault switch)', 500);
    case 'ThrottlingException':
      // The service answers throttling with HTTP 400; SDKs recognise it by its name and retry.
      return new SfnServiceError('ThrottlingException', 'Rate exceeded (injected by the emulator fault switch)', 400);
  }
}
