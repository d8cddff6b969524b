import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  TaskDoesNotExist,
  TaskTimedOut,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { AwsConfig } from '../../config';
import type { CallbackDelivery, ExecutionEvent, ExecutionStatus, TaskCallbacks, Workflow } from '../../domain/ports';

const sfnClient = (aws: AwsConfig) =>
  new SFNClient({ region: aws.AWS_REGION, ...(aws.SFN_ENDPOINT ? { endpoint: aws.SFN_ENDPOINT } : {}) });

/** Nothing waits on the token any more (resumed before, timed out, execution ended): a repeat is harmless. */
async function delivery(call: Promise<unknown>): Promise<CallbackDelivery> {
  try {
    await call;
    return 'delivered';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) return 'gone';
    throw error;
  }
}

/** SendTaskSuccess / SendTaskFailure for tasks waiting on a token. */
export class StepFunctionsTaskCallbacks implements TaskCallbacks {
  constructor(protected readonly sfn: SFNClient) {}

  static from(aws: AwsConfig): StepFunctionsTaskCallbacks {
    return new StepFunctionsTaskCallbacks(sfnClient(aws));
  }

  resume(taskToken: string, output: Record<string, unknown>): Promise<CallbackDelivery> {
    return delivery(this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })));
  }

  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    return delivery(this.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) })));
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
    const events: ExecutionEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken })).catch((error: unknown) => {
        if (error instanceof ExecutionDoesNotExist) return undefined;
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
    try {
      const execution = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {
        status: (execution.status ?? 'RUNNING') as ExecutionStatus,
        ...(execution.error ? { error: execution.error } : {}),
        ...(execution.cause ? { cause: execution.cause } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  /**
   * Idempotent by name: execution names are unique to one release's promotion
   * of one environment, so one that exists is this very promotion, started by
   * an earlier attempt whose answer was lost.
   */
  async start(name: string, input: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
