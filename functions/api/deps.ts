import type { OidcClient } from '../adapters/oidc/client';
import type { SecretSource } from '../adapters/oidc/secrets';
import type { UseCaseDeps } from '../usecases/deps';

/** The API runs the use cases with their dependencies, plus what the dashboard's sign-in needs. */
export interface ApiDeps extends UseCaseDeps {
  /** The OpenID Connect provider people sign in to the dashboard with. */
  oidc: OidcClient;
  /** The key that signs dashboard session cookies (SESSION_SECRET or SESSION_SECRET_ARN). */
  sessionSecret: SecretSource;
}

export interface ApiEnv {
  Variables: { identity: string };
}
