import * as z from 'zod';
import type { JsonValue } from './json';
import type { Position } from './position';

/**
 * The files of a data directory (see README.md). Everything read back is validated: a file from an
 * older or foreign format is skipped with a log line instead of crashing the emulator.
 */

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

// z.json() infers zod's own JSON type; it is structurally JsonValue.
const json = z.json() as unknown as z.ZodType<JsonValue>;

const outcomeSchema = z.union([z.object({ output: json }), z.object({ error: z.string(), cause: z.string() })]);

const positionSchema: z.ZodType<Position> = z.object({
  state: z.string(),
  type: z.string(),
  input: json,
  enteredAt: z.number(),
  waiting: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('callback'),
        token: z.string(),
        deadline: z.number().optional(),
        submitted: z.boolean(),
        outcome: outcomeSchema.optional(),
      }),
      z.object({ kind: z.literal('wait'), endsAt: z.number().optional() }),
    ])
    .optional(),
});

const historyEventSchema = z.object({
  id: z.number().int(),
  previousEventId: z.number().int(),
  timestamp: z.number(),
  type: z.string(),
  detailsKey: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** `executions/<state machine>/<execution name>.<hash>.json`, rewritten (atomically) on every change. */
export const executionFileSchema = z.object({
  format: z.literal(1),
  execution: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    input: z.string(),
    startDate: z.number(),
    status: z.enum(EXECUTION_STATUSES),
    stopDate: z.number().optional(),
    output: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    /** The state machine revision (definition hash) the execution runs, as in AWS: edits do not affect it. */
    revision: z.string(),
  }),
  history: z.array(historyEventSchema),
  /** Only while RUNNING. */
  position: positionSchema.optional(),
  /** Every task token the execution issued; all but the one `position` waits on are closed. */
  tokens: z.array(z.string()),
  /** How many emulator restarts the execution has been resumed after. */
  resumes: z.number().int(),
});
export type ExecutionFile = z.infer<typeof executionFileSchema>;

/** `state-machines/<name>.json`: every definition ever registered under the name, by revision. */
export const machineFileSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  creationDate: z.number(),
  revisions: z.record(z.string(), z.object({ createdAt: z.number(), definition: z.string() })),
});
export type MachineFile = z.infer<typeof machineFileSchema>;
