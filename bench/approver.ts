import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The approver's side of the decision benches: approval links from the SES
 * emulator's mailbox, and the decision POST over a kept-alive node:http
 * connection — the same kind of client the AWS SDK uses for the
 * TransactWriteItems baseline, so the ratio compares server work, not two
 * HTTP clients (fetch costs ~1 ms more per call on this machine).
 */

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface Answer {
  status: number;
  body: string;
}

/** One HTTP call on the kept-alive agent; the body is sent as given. */
export function send(method: string, link: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(link);
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs the decision form to an emailed link, asking for JSON. */
export const postDecision = (link: string, decision: 'approve' | 'reject' = 'approve') =>
  send('POST', link, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, `decision=${decision}`);

export interface MailedLink {
  link: string;
  releaseId: string;
  environment?: string;
  approver: string;
}

interface Stored {
  emails: Array<{ destination: { to: string[] }; body: { text?: string } }>;
}

const LINK = /(http:\/\/\S+\/approve\/([\w-]+)\.[\w-]+)/;

/**
 * Every approval link in the mailbox, or in mail sent since `since` (epoch
 * seconds); the claim names the release and environment (unverified: it is
 * only to route).
 */
export async function mailedLinks(mailboxUrl: string, since?: number): Promise<MailedLink[]> {
  const { emails } = (await (await fetch(`${mailboxUrl}/store${since === undefined ? '' : `?since=${since}`}`)).json()) as Stored;
  const links: MailedLink[] = [];
  for (const email of emails) {
    const match = LINK.exec(email.body.text ?? '');
    if (!match?.[1] || !match[2]) continue;
    const claim = JSON.parse(Buffer.from(match[2], 'base64url').toString()) as { r: string; e?: string; a: string };
    links.push({ link: match[1], releaseId: claim.r, ...(claim.e ? { environment: claim.e } : {}), approver: claim.a });
  }
  return links;
}

/** Empties the mailbox, so each lookup reads only the mail of the release at hand (the store is otherwise re-read whole). */
export async function clearMailbox(mailboxUrl: string): Promise<void> {
  await (await fetch(`${mailboxUrl}/clear-store`, { method: 'POST' })).arrayBuffer();
}

/** Waits until the mailbox holds a link for each of `approvers` on `releaseId`. */
export async function linksFor(mailboxUrl: string, releaseId: string, approvers: string[], timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await mailedLinks(mailboxUrl)).filter((l) => l.releaseId === releaseId);
    const found = approvers.map((a) => mine.find((l) => l.approver === a)?.link);
    if (found.every((l) => l !== undefined)) return found as string[];
    if (Date.now() > deadline) throw new Error(`no link for ${approvers.filter((_, i) => !found[i]).join(', ')} on ${releaseId}`);
    await sleep(5);
  }
}
