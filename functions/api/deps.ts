import type { UseCaseDeps } from '../usecases/deps';

/** The API runs the use cases with their dependencies. */
export type ApiDeps = UseCaseDeps;

export interface ApiEnv {
  Variables: { identity: string };
}
