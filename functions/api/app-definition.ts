import * as z from 'zod/mini';
import type { App } from '../domain/catalog';
import { ValidationError } from '../domain/errors';
import { DEFAULT_POLICY, parsePolicy } from '../domain/policy';

const name = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63 characters'));

/** An app as admins register it (API and CLI): environments in promotion order with their cluster targets. */
export const appDefinitionSchema = z.strictObject({
  environments: z
    .array(
      z.strictObject({
        name,
        namespace: name,
        deployment: name,
        container: name,
        /** As `PUT /v1/apps/{app}/envs/{env}/policy` takes it; omitted = the default (1 approval, 72 h). */
        policy: z.optional(z.unknown()),
      }),
    )
    .check(z.length(2, 'an app has exactly two environments: staging then production')),
});

export type AppDefinition = z.infer<typeof appDefinitionSchema>;

export function toApp(appName: string, definition: AppDefinition): App {
  if (!name.safeParse(appName).success) throw new ValidationError(`"${appName}" is not an app name (lowercase letters, digits and dashes)`);
  return {
    name: appName,
    environments: definition.environments.map((env, order) => ({
      app: appName,
      name: env.name,
      order,
      target: { namespace: env.namespace, deployment: env.deployment, container: env.container },
      policy: env.policy === undefined ? DEFAULT_POLICY : parsePolicy(env.policy),
    })),
  };
}
