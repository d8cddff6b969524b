import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestStack } from './stack';

export const digestOf = (seed: number | string) => `sha256:${createHash('sha256').update(String(seed)).digest('hex')}`;
export const imageFor = (n: number | string, repository = 'registry.example.com/hello-web') => `${repository}@${digestOf(n)}`;

/** Calls the API with a token: the stack's CI token unless another is given. */
export function api(stack: TestStack, token = stack.ciToken) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(stack.apiUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return {
    call,
    startRelease: (body: Record<string, unknown>) => call('POST', '/v1/releases', body),
    release: async (id: string) => (await call('GET', `/v1/releases/${id}`)).json as unknown as ReleaseJson,
    waitForStatus: async (id: string, statuses: string[], timeoutMs = 15_000): Promise<ReleaseJson> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const release = (await call('GET', `/v1/releases/${id}`)).json as unknown as ReleaseJson;
        if (statuses.includes(release.status)) return release;
        if (Date.now() > deadline) throw new Error(`release ${id} is ${release.status}, expected ${statuses.join('|')}: ${JSON.stringify(release)}`);
        await sleep(50);
      }
    },
  };
}

export interface ReleaseJson {
  id: string;
  status: string;
  image: string;
  reason?: string;
  stages: Array<{
    environment: string;
    after: string[];
    status: string;
    image?: string;
    previousImage?: string;
    startedAt?: string;
    deployStartedAt?: string;
    rolledOutAt?: string;
    finishedAt?: string;
    detail?: string;
    executionArn?: string;
    approvedBy?: string[];
    checks?: Array<{ name: string; kind: string; phase: string; passed: boolean; summary: string; logTail?: string; observations?: Array<string | number> }>;
    approval?: { status: string; summary: string; votes: Array<{ voter: string; decision: string }> };
  }>;
  approvals: Array<{ environment: string; status: string; approvers: string[]; summary: string; votes: Array<{ voter: string; decision: string }> }>;
}

export interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

/** The SES emulator's mailbox. */
export function mailbox(stack: TestStack) {
  const all = async () => ((await (await fetch(`${stack.mailboxUrl}/store`)).json()) as { emails: StoredEmail[] }).emails;
  return {
    all,
    /** Emails about one release (its approval links carry the release id in their claim). */
    waitFor: async (predicate: (email: StoredEmail) => boolean, count: number, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = (await all()).filter(predicate);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, got ${matching.length}`);
        await sleep(50);
      }
    },
  };
}

export function approvalLink(email: StoredEmail): string {
  const match = /(http:\/\/\S+\/approve\/[\w.-]+)/.exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error(`no approval link in email "${email.subject}"`);
  return match[1];
}

/** The demo Deployment and its ConfigMap as the simulated cluster holds them, through the real Kubernetes client. */
export async function workload(stack: TestStack, namespace: string) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.kubeconfigPath);
  const deployment = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'hello-web', namespace });
  const configMap = await kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ name: 'hello-web-config', namespace })
    .catch(() => undefined);
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'web');
  return { replicas: deployment.spec?.replicas, env: container?.env ?? [], resources: container?.resources, configMap: configMap?.data, annotations: deployment.spec?.template.metadata?.annotations ?? {} };
}

/** What the simulated cluster runs, read through the real Kubernetes client. */
export async function runningImage(stack: TestStack, namespace: string): Promise<string | undefined> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.kubeconfigPath);
  const deployment = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'hello-web', namespace });
  return deployment.spec?.template.spec?.containers.find((c) => c.name === 'web')?.image;
}

/** A personal token for `identity`, issued by the seeded admin through the management API. */
export async function tokenFor(stack: TestStack, identity: string): Promise<string> {
  const created = await api(stack, stack.adminToken).call('POST', '/v1/tokens', { identity, description: 'test' });
  if (created.status !== 201) throw new Error(`could not create a token for ${identity}: ${JSON.stringify(created.json)}`);
  return String(created.json.token);
}

/** Acts as `identity` with a fresh personal token. */
export const as = async (stack: TestStack, identity: string) => api(stack, await tokenFor(stack, identity));

/** The signed claim of an email's approval link (release `r`, environment `e`), read without checking the signature. */
export function linkClaim(email: StoredEmail): { r?: string; e?: string } {
  const payload = /\/approve\/([\w-]+)\./.exec(email.body.text ?? '')?.[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { r?: string; e?: string }) : {};
}

/** The approval link emailed to `approver` for one release (the link's signed claim names the release). */
export async function linkFor(stack: TestStack, releaseId: string, approver: string): Promise<string> {
  const [email] = await mailbox(stack).waitFor((e) => e.destination.to.includes(approver) && linkClaim(e).r === releaseId, 1);
  return approvalLink(email!);
}
