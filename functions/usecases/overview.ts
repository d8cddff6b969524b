import type { ApprovalRequest } from '../domain/approval';
import { can } from '../domain/authorization';
import type { Environment } from '../domain/catalog';
import type { Deployment } from '../domain/deployment';
import { isStageEnded, type Release, type Stage } from '../domain/release';
import type { UseCaseDeps } from './deps';
import { pendingDecisions } from './pending-approvals';

/** One environment of an app as the overview shows it. */
export interface EnvironmentOverview {
  /** What Gatekeeper recorded there (`current`), and any `drift` or `attention`. */
  environment: Environment;
  /** The newest deployment in its history: which commit, who asked, who approved, when. */
  latest?: Deployment;
  /** Releases in flight whose promotion into this environment is under way (started, not ended). */
  active: Array<{ release: Release; stage: Stage }>;
}

export interface AppOverview {
  name: string;
  environments: EnvironmentOverview[];
  /** The app's releases not yet ended, oldest first. */
  inFlight: Release[];
}

export interface Overview {
  apps: AppOverview[];
  /** What this identity may decide now (the same list as `GET /v1/approvals?status=pending`). */
  waiting: ApprovalRequest[];
}

type OverviewDeps = Pick<UseCaseDeps, 'catalog' | 'directory' | 'releases' | 'deployments' | 'approvals' | 'clock'>;

/**
 * What runs where, for the apps `identity` may view (`app.view` on the app,
 * as `GET /v1/apps/{app}` judges it): each environment's recorded image with
 * its newest deployment, what is in flight, and what waits for this identity.
 * Reads only: the apps and in-flight releases from their indexes, one
 * history page per environment.
 */
export async function overviewFor(deps: OverviewDeps, identity: string): Promise<Overview> {
  const [apps, directory, inFlight, waiting] = await Promise.all([deps.catalog.listApps(), deps.directory.get(), deps.releases.listInFlight(), pendingDecisions(deps, identity)]);
  const visible = apps.filter((app) => can(directory, identity, 'app.view', { app: app.name, environment: '*' }));
  const overviews = await Promise.all(
    visible.map(async (app): Promise<AppOverview> => {
      const releases = inFlight.filter((release) => release.app === app.name);
      const environments = await Promise.all(
        app.environments.map(async (environment): Promise<EnvironmentOverview> => {
          const { deployments } = await deps.deployments.history(app.name, environment.name, { limit: 1 });
          const active = releases.flatMap((release) => {
            const stage = release.stages[environment.name];
            return stage && !isStageEnded(stage.status) ? [{ release, stage }] : [];
          });
          return { environment, ...(deployments[0] ? { latest: deployments[0] } : {}), active };
        }),
      );
      return { name: app.name, environments, inFlight: releases };
    }),
  );
  return { apps: overviews, waiting };
}
