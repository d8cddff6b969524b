import type * as SfnSdk from './sdk';
import type { AwsConfig } from '../../config';
import type { CallbackDelivery, ExecutionEvent, ExecutionStatus, TaskCallbacks, Workflow } from '../../domain/ports';

type Sfn = { sdk: typeof SfnSdk; client: SfnSdk.SFNClient };

/**
 * The Step Functions client and its SDK module, loaded on first use rather than at import:
 * most API requests never start, describe or resume an execution (issue 13, cold start).
 */
const sfnClient = (aws: AwsConfig): (() => Promise<Sfn>) => {
  let loaded: Promise<Sfn> | undefined;
  return () =>
    (loaded ??= import('./sdk').then(
      (sdk) => ({ sdk, client: new sdk.SFNClient({ region: aws.AWS_REGION, ...(aws.SFN_ENDPOINT ? { endpoint: aws.SFN_ENDPOINT } : {}) }) }),
      (error: unknown) => {
        // A failed load is not kept: the next call (a resume after a warm-up that failed) loads again.
        loaded = undefined;
        throw error;
      },
    ));
};

/** Nothing waits on the token any more (resumed before, timed out, execution ended): a repeat is harmless. */
async function delivery({ sdk }: Sfn, call: Promise<unknown>): Promise<CallbackDelivery> {
  try {
    await call;
    return 'delivered';
  } catch (error) {
    if (error instanceof sdk.TaskTimedOut || error instanceof sdk.TaskDoesNotExist || error instanceof sdk.InvalidToken) return 'gone';
    throw error;
  }
}

/** SendTaskSuccess / SendTaskFailure for tasks waiting on a token. */
export class StepFunctionsTaskCallbacks implements TaskCallbacks {
  constructor(protected readonly sfn: () => Promise<Sfn>) {}

  static from(aws: AwsConfig): StepFunctionsTaskCallbacks {
    return new StepFunctionsTaskCallbacks(sfnClient(aws));
  }

  /**
   * Starts loading the SDK and the client without waiting: a vote that will close calls it before
   * its write, so a container's first resume does not load them after the commit. A failure is left
   * to the call that needs the client, which loads again and reports it.
   */
  warm(): void {
    this.sfn().catch(() => undefined);
  }

  async resume(taskToken: string, output: Record<string, unknown>): Promise<CallbackDelivery> {
    const sfn = await this.sfn();
    return delivery(sfn, sfn.client.send(new sfn.sdk.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    const sfn = await this.sfn();
    return delivery(sfn, sfn.client.send(new sfn.sdk.SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) })));
  }
}

/** The release state machine, driven through the Step Functions API. */
export class StepFunctionsWorkflow extends StepFunctionsTaskCallbacks implements Workflow {
  constructor(
    aws: AwsConfig,
    private readonly stateMachineArn: string,
  ) {
    super(sfnClient(aws));
  }

  executionArn(name: string): string {
    // arn:aws:states:<region>:<account>:stateMachine:<sm>  →  …:execution:<sm>:<name>
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async history(executionArn: string): Promise<ExecutionEvent[] | undefined> {
    const { sdk, client } = await this.sfn();
    const events: ExecutionEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new sdk.GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken })).catch((error: unknown) => {
        if (error instanceof sdk.ExecutionDoesNotExist) return undefined;
        throw error;
      });
      if (!page) return undefined;
      for (const event of page.events ?? []) {
        const { id, timestamp, type, previousEventId: _previous, ...details } = event;
        const named = Object.values(details).find((d): d is { name: string } => typeof (d as { name?: unknown } | undefined)?.name === 'string');
        events.push({
          id: id ?? events.length + 1,
          timestamp: (timestamp ?? new Date(0)).toISOString(),
          type: type ?? 'Unknown',
          ...(named ? { state: named.name } : {}),
          ...(Object.keys(details).length ? { detail: Object.values(details)[0] } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  async describe(executionArn: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined> {
    const { sdk, client } = await this.sfn();
    try {
      const execution = await client.send(new sdk.DescribeExecutionCommand({ executionArn }));
      return {
        status: (execution.status ?? 'RUNNING') as ExecutionStatus,
        ...(execution.error ? { error: execution.error } : {}),
        ...(execution.cause ? { cause: execution.cause } : {}),
      };
    } catch (error) {
      if (error instanceof sdk.ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  /**
   * Idempotent by name: execution names are unique to one release's promotion
   * of one environment, so one that exists is this very promotion, started by
   * an earlier attempt whose answer was lost.
   */
  async start(name: string, input: Record<string, unknown>): Promise<void> {
    const { sdk, client } = await this.sfn();
    try {
      await client.send(new sdk.StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (!(error instanceof sdk.ExecutionAlreadyExists)) throw error;
    }
  }
}
