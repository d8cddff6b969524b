import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { approve, type BenchClient } from './releases';

const imageFor = (seed: string) => `registry.example.com/hello-api@sha256:${createHash('sha256').update(seed).digest('hex')}`;

/** The two environments of hello-api after staging, each approved by one release manager. */
const FAN_OUT = ['prod-eu', 'prod-us'];
const APPROVER = 'alice@example.com';
const TERMINAL = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** One promotion (one Step Functions execution) of a release. */
export interface ExecutionFigures {
  environment: string;
  statesEntered: number;
  historyEvents: number;
}

export interface PipelineFigures {
  /** One hello-api release's promotions, in pipeline order: staging (smoke-test job), prod-eu, prod-us. */
  helloApiExecutions: ExecutionFigures[];
  /** POST /v1/releases → both prod approvals as soon as emailed → succeeded. */
  helloApiWallMs: number[];
}

/**
 * States entered and history events of each promotion of release `id`, from
 * GET /v1/releases/{id}/history, once every execution has ended (the release
 * is `succeeded` one state before its last execution is).
 */
export async function executionFigures(client: BenchClient, id: string, timeoutMs = 10_000): Promise<ExecutionFigures[]> {
  type History = { executions: Array<{ environment: string; events?: Array<{ type: string }> }> };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { executions } = (await client.get(`/v1/releases/${id}/history`)) as History;
    if (executions.every(({ events = [] }) => events.some((e) => TERMINAL.has(e.type)))) {
      return executions.map(({ environment, events = [] }) => ({
        environment,
        statesEntered: events.filter((e) => e.type.endsWith('StateEntered')).length,
        historyEvents: events.length,
      }));
    }
    if (Date.now() > deadline) throw new Error(`release ${id}: an execution has not ended`);
    await sleep(10);
  }
}

export const totalOf = (executions: ExecutionFigures[], key: keyof Omit<ExecutionFigures, 'environment'>) => executions.reduce((sum, e) => sum + e[key], 0);

/**
 * Full hello-api releases one after another: staging with its post-deployment
 * job check, then prod-eu and prod-us in parallel, each approved the moment
 * its email arrives.
 */
export async function measurePipelines(ci: BenchClient, releases: number): Promise<PipelineFigures> {
  const run = Date.now().toString(36);
  const helloApiWallMs: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < releases; i++) {
    const t0 = performance.now();
    const id = await ci.start(imageFor(`${run}-${i}`), 'hello-api');
    try {
      // Generous: on a busy machine staging, its job check and the emails can take several seconds.
      await Promise.all(
        FAN_OUT.map(async (environment) => {
          const response = await approve(await ci.linkFor(id, APPROVER, environment, 60_000));
          if (response.status !== 200) throw new Error(`${environment} decision failed: ${response.status} ${await response.text()}`);
        }),
      );
      await ci.waitFor(id, 'succeeded', 60_000);
    } catch (error) {
      const release = await ci.release(id);
      throw new Error(`hello-api release ${id} is ${release.status} (${release.stages.map((s) => `${s.environment}: ${s.status}`).join(', ')}): ${(error as Error).message}`, { cause: error });
    }
    helloApiWallMs.push(performance.now() - t0);
    ids.push(id);
  }
  return { helloApiExecutions: await executionFigures(ci, ids[0] ?? ''), helloApiWallMs };
}
