import { can, type Action, type Directory, type Scope } from '../domain/authorization';
import { ForbiddenError } from '../domain/errors';
import type { DirectoryStore } from '../domain/ports';

const WHAT: Record<Action, string> = {
  'app.view': 'view',
  'app.manage': 'manage',
  'release.start': 'start releases in',
  'release.view': 'view releases of',
  'release.cancel-own': 'cancel releases of',
  'release.rollback': 'roll back',
  'approval.decide-image': 'approve images for',
  'approval.decide-config': 'approve configuration for',
  'review.close': 'review break-glass deployments of',
  'break-glass': 'break glass in',
  'directory.manage': 'manage groups, grants and tokens in',
};

/** Throws ForbiddenError unless allowed; returns the directory it judged by (callers may need it too). */
export async function authorize(directory: DirectoryStore, identity: string, action: Action, scope: Scope): Promise<Directory> {
  const current = await directory.get();
  permit(current, identity, action, scope);
  return current;
}

/**
 * The same judgement on a directory already read in this request: a use case
 * that checks several environments reads the directory once, not once each.
 * Throws a 403 that names the caller, the action and where.
 */
export function permit(directory: Directory, identity: string, action: Action, scope: Scope): void {
  if (can(directory, identity, action, scope)) return;
  const where = scope.environment === '*' ? scope.app : `${scope.app}/${scope.environment}`;
  throw new ForbiddenError(`${identity} may not ${WHAT[action]} ${where === '*/*' || where === '*' ? 'Gatekeeper' : where}; ask an admin for a grant`);
}
