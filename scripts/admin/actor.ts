import { identitySchema } from '../../functions/api/schemas';

export type ActorResult = { actor: string; warning?: string } | { error: string };

/**
 * Who the audit trail names for the CLI's writes. The CLI writes with AWS
 * credentials, not a Gatekeeper token, so nothing authenticates a Gatekeeper
 * identity: the operator states it (`--as`, or GATEKEEPER_ACTOR for a whole
 * session). Without either, the OS login is better than nothing, but it is
 * not an identity Gatekeeper knows, so we say so.
 */
export function resolveActor(flag: string | undefined, env: Record<string, string | undefined>, osUser: () => string): ActorResult {
  const [given, source] = flag !== undefined ? [flag, '--as'] : [env.GATEKEEPER_ACTOR, 'GATEKEEPER_ACTOR'];
  if (given !== undefined && given !== '') {
    const actor = given.trim().toLowerCase();
    if (!identitySchema.safeParse(actor).success) return { error: `${source} must be an email (or ci:<name> for automation); got "${given}"` };
    return { actor };
  }
  const actor = `cli:${loginName(osUser)}`;
  return { actor, warning: `warning: acting as ${actor}, your OS login; pass --as <email> (or set GATEKEEPER_ACTOR) so the audit trail names you` };
}

function loginName(osUser: () => string): string {
  try {
    return osUser().toLowerCase() || 'unknown';
  } catch {
    // os.userInfo() throws when the uid has no passwd entry (some containers).
    return 'unknown';
  }
}
