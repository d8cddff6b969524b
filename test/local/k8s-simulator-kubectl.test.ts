import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubernetesSimulator, type NamedSimulator, startKubernetesSimulator, startKubernetesSimulators, writeCombinedKubeconfig } from '../../local/k8s-simulator';

// The simulator against a real kubectl: what `kubectl get/describe/rollout/scale/create/delete/wait/logs` need.

const KUBECTL = '/usr/bin/kubectl';
const TOKEN = 'kubectl-test-token';
const HAVE_KUBECTL = existsSync(KUBECTL);
// On CI a missing kubectl is a failure (beforeAll throws), elsewhere a skip.
const RUN = HAVE_KUBECTL || process.env.CI === 'true';
if (!RUN) console.warn('k8s-simulator kubectl tests skipped: /usr/bin/kubectl not found (install the kubectl package)');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!RUN)('Kubernetes API simulator with kubectl', () => {
  let dir: string;
  let sim: KubernetesSimulator;
  let clusters: NamedSimulator[] = [];
  let kubeconfig: string;

  /** Runs kubectl; resolves with its exit code and output whatever the code. */
  const kubectl = (args: string[], config = kubeconfig): Promise<Result> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 20_000, env: { ...process.env, HOME: dir } }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  /** Runs kubectl and expects exit code 0; returns stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const result = await kubectl(args);
    expect(result, `kubectl ${args.join(' ')}`).toMatchObject({ code: 0 });
    return result.stdout;
  };
  /** The rows of kubectl's table output, split on runs of two or more spaces. */
  const rows = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/));

  beforeAll(async () => {
    if (!HAVE_KUBECTL) throw new Error(`${KUBECTL} not found: with CI=true the kubectl tests need the kubectl package`);
    dir = await mkdtemp(join(tmpdir(), 'k8s-kubectl-'));
    sim = await startKubernetesSimulator({ token: TOKEN, tls: true, rolloutDelayMs: 100, progressDeadlineMs: 600, jobDurationMs: 100 });
    kubeconfig = join(dir, 'kubeconfig');
    await sim.writeKubeconfig(kubeconfig);
    sim.seedDeployment({ namespace: 'default', name: 'web', container: 'app', image: 'registry.example/web:1', replicas: 2 });
  });
  afterAll(async () => {
    await sim?.close();
    await Promise.all(clusters.map(({ simulator }) => simulator.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('get deploy -o wide, get rs, get pods, get events', async () => {
    // kubectl takes a few hundred milliseconds to start: independent calls run side by side.
    const [wide, rsText, podsText, events] = await Promise.all([ok('get', 'deploy', '-o', 'wide'), ok('get', 'rs'), ok('get', 'pods'), ok('get', 'events')]);
    expect(rows(wide)).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['web', '2/2', '2', '2', expect.stringMatching(/^\d+s$/), 'app', 'registry.example/web:1', 'app=web'],
    ]);
    const rs = rows(rsText);
    expect(rs[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rs[1]).toEqual([expect.stringMatching(/^web-[a-z0-9]{10}$/), '2', '2', '2', expect.any(String)]);
    const pods = rows(podsText);
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods.slice(1).map((p) => [p[0]?.startsWith(`${rs[1]![0]}-`), p[1], p[2], p[3]])).toEqual([
      [true, '1/1', 'Running', '0'],
      [true, '1/1', 'Running', '0'],
    ]);
    expect(events).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(events).toMatch(/Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-\w+ to 2 from 0/);
    expect(events).toMatch(/Normal\s+Started\s+pod\/web-/);
  });

  it('rollout status after a rollout, rollout history with revisions and change-cause, describe', async () => {
    await ok('set', 'image', 'deployment/web', 'app=registry.example/web:2');
    await ok('annotate', 'deployment/web', 'kubernetes.io/change-cause=web 2');
    const status = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=10s']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const [history, described] = await Promise.all([ok('rollout', 'history', 'deployment/web'), ok('describe', 'deployment', 'web')]);
    expect(rows(history).slice(1)).toEqual([
      ['REVISION', 'CHANGE-CAUSE'],
      ['1', '<none>'],
      ['2', 'web 2'],
    ]);
    expect(described).toMatch(/NewReplicaSet:\s+web-\w+ \(2\/2 replicas created\)/);
    expect(described).toMatch(/OldReplicaSets:\s+web-\w+ \(0\/0 replicas created\)/);
    expect(described).toMatch(/ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled down replica set web-\w+ to 0 from 2/);
  });

  it('rollout status fails on a rollout that exceeds its progress deadline', async () => {
    sim.seedDeployment({ namespace: 'default', name: 'broken', container: 'app', image: 'registry.example/web:1' });
    await ok('set', 'image', 'deployment/broken', 'app=registry.example/web:fail-rollout');
    const status = await kubectl(['rollout', 'status', 'deployment/broken', '--timeout=10s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "broken" exceeded its progress deadline');
    expect(await ok('get', 'pods', '-l', 'app=broken')).toMatch(/broken-\S+\s+0\/1\s+ImagePullBackOff/);
  });

  it('get deploy -w shows the deployment and its changes until stopped', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', 'deploy', 'web', '-w'], { env: { ...process.env, HOME: dir } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      for (const deadline = Date.now() + 5000; !output.includes('web') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      await ok('set', 'image', 'deployment/web', 'app=registry.example/web:3');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      child.kill();
      await exited;
    }
    const lines = rows(output);
    expect(lines[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(lines[1]?.slice(0, 4)).toEqual(['web', '2/2', '2', '2']);
    expect(lines.length).toBeGreaterThan(2); // the rollout's changes
    expect(lines.slice(1).every((line) => line[0] === 'web')).toBe(true);
  });

  it('scale, create deployment and delete deployment', async () => {
    const scale = async () => {
      expect(await ok('scale', 'deployment/web', '--replicas=3')).toContain('deployment.apps/web scaled');
      await ok('rollout', 'status', 'deployment/web', '--timeout=10s');
      expect(rows(await ok('get', 'deploy', 'web'))[1]?.slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
    };
    const createAndDelete = async () => {
      expect(await ok('create', 'deployment', 'api', '--image=registry.example/api:1', '--replicas=2')).toContain('deployment.apps/api created');
      await ok('rollout', 'status', 'deployment/api', '--timeout=10s');
      expect(rows(await ok('get', 'pods', '-l', 'app=api', '--no-headers'))).toHaveLength(2);
      expect(await ok('delete', 'deployment', 'api')).toContain('deployment.apps "api" deleted');
      const [gone, dependents] = await Promise.all([kubectl(['get', 'deployment', 'api']), kubectl(['get', 'rs,pods', '-l', 'app=api'])]);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toContain('deployments.apps "api" not found');
      expect(dependents.stderr).toContain('No resources found');
    };
    await Promise.all([scale(), createAndDelete()]);
  });

  it('create job, wait for completion and read its logs; a fail-check job fails with a failure line', async () => {
    const succeeding = async () => {
      await ok('create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi');
      expect(await ok('wait', '--for=condition=complete', 'job/hello', '--timeout=10s')).toContain('job.batch/hello condition met');
      const [log, job] = await Promise.all([ok('logs', 'job/hello'), ok('get', 'job', 'hello')]);
      expect(log.split('\n')).toEqual(['simulator: container "hello" started from image "busybox"', 'simulator: running: echo hi', 'hi', 'simulator: container "hello" exited with code 0', '']);
      expect(rows(job)[1]?.slice(0, 3)).toEqual(['hello', 'Complete', '1/1']);
    };
    const following = async () => {
      // logs -f follows the running job's pod until its container exits.
      await ok('create', 'job', 'follow', '--image=busybox', '--', 'echo', 'following');
      expect(await ok('logs', '-f', 'job/follow')).toContain('following\nsimulator: container "follow" exited with code 0\n');
    };
    const failing = async () => {
      await ok('create', 'job', 'check', '--image=registry.example/check:fail-check', '--', './check', '--all');
      expect(await ok('wait', '--for=condition=failed', 'job/check', '--timeout=10s')).toContain('job.batch/check condition met');
      const [log, job, pods, described] = await Promise.all([ok('logs', 'job/check', '--tail=2'), ok('get', 'job', 'check'), ok('get', 'pods', '-l', 'job-name=check'), ok('describe', 'job', 'check')]);
      expect(log).toBe('check failed: image "registry.example/check:fail-check" is marked fail-check, so the simulator fails it\nsimulator: container "check" exited with code 1\n');
      expect(rows(job)[1]?.slice(0, 3)).toEqual(['check', 'Failed', '0/1']);
      expect(pods).toMatch(/check-\w{5}\s+0\/1\s+Error/);
      expect(described).toMatch(/Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit/);
    };
    await Promise.all([succeeding(), following(), failing()]);
  });

  it('create secret generic --from-literal, get secrets, get secret -o jsonpath', async () => {
    expect(await ok('create', 'secret', 'generic', 'probe-token', '--from-literal=token=Bearer s3cr3t', '--from-literal=user=probe')).toContain('secret/probe-token created');
    const [table, token] = await Promise.all([ok('get', 'secrets'), ok('get', 'secret', 'probe-token', '-o', 'jsonpath={.data.token}')]);
    expect(rows(table)).toEqual([
      ['NAME', 'TYPE', 'DATA', 'AGE'],
      ['probe-token', 'Opaque', '2', expect.stringMatching(/^\d+s$/)],
    ]);
    expect(Buffer.from(token, 'base64').toString('utf8')).toBe('Bearer s3cr3t');
  });

  it('targets one of two clusters with --context', async () => {
    clusters = await startKubernetesSimulators(['eu', 'us'], { token: TOKEN, tls: true, rolloutDelayMs: 0 });
    const [eu, us] = clusters.map(({ simulator }) => simulator);
    expect(eu!.caCertificate).not.toBe(us!.caCertificate);
    eu!.seedDeployment({ namespace: 'default', name: 'shop', container: 'app', image: 'registry.example/shop:1' });
    us!.seedDeployment({ namespace: 'default', name: 'billing', container: 'app', image: 'registry.example/billing:1' });
    const combined = join(dir, 'combined-kubeconfig');
    await writeCombinedKubeconfig(combined, clusters, 'eu');
    const names = async (...context: string[]) => (await kubectl([...context, 'get', 'deploy', '-o', 'name'], combined)).stdout.trim();
    const [current, inEu, inUs, contexts] = await Promise.all([names(), names('--context', 'eu'), names('--context', 'us'), kubectl(['config', 'get-contexts', '-o', 'name'], combined)]);
    expect([current, inEu, inUs]).toEqual(['deployment.apps/shop', 'deployment.apps/shop', 'deployment.apps/billing']);
    expect(contexts.stdout.trim().split('\n')).toEqual(['eu', 'us']);
  });
});
