import { expect } from 'vitest';
import { api, imageFor, linkFor, type ReleaseJson } from '../../support/clients';
import type { TestStack } from '../../support/stack';

let counter = Date.now();

/** A fresh pinned image of the demo app. */
export const nextImage = () => imageFor(`fault-${counter++}`);

/** Starts a demo release and waits until alice has her link. */
export async function releaseAwaitingApproval(stack: TestStack, image = nextImage()): Promise<{ id: string; image: string; link: string }> {
  const ci = api(stack);
  const created = await ci.startRelease({ app: 'hello-web', image, commit: 'abc1234', author: 'carol@example.com' });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = String(created.json.id);
  await ci.waitForStatus(id, ['waiting_for_approval'], 30_000);
  return { id, image, link: await linkFor(stack, id, 'alice@example.com') };
}

export const vote = (link: string, decision: 'approve' | 'reject' = 'approve') =>
  fetch(link, { method: 'POST', body: new URLSearchParams({ decision }), headers: { accept: 'application/json' } });

/** The app's hash chain is intact (every state change above was audited in order). */
export async function expectAuditIntact(stack: TestStack): Promise<void> {
  const verified = await api(stack, stack.adminToken).call('GET', '/v1/audit/verify?app=hello-web');
  expect(verified.json).toMatchObject({ ok: true });
}

export async function history(stack: TestStack, env: string) {
  const page = await api(stack, stack.adminToken).call('GET', `/v1/apps/hello-web/envs/${env}/deployments?limit=10`);
  return page.json.deployments as Array<{ type: string; image: string; result: string; commit?: string; approvers: string[]; releaseId: string }>;
}

export type { ReleaseJson };
