import * as z from 'zod/mini';
import type { App } from '../domain/catalog';
import { ValidationError } from '../domain/errors';
import { isName, NAME_RULE, parseName } from '../domain/names';
import { DEFAULT_POLICY, parsePolicy } from '../domain/policy';

/** Environment names follow the one name rule (apps, environments, groups). */
const name = z.string().check(z.refine(isName, NAME_RULE));
/** Kubernetes object names (RFC 1123 labels): the cluster's rule, not ours. */
const kubernetesName = z.string().check(z.regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a Kubernetes name: lowercase letters, digits and "-", at most 63 characters, starting and ending with a letter or digit'));

/** An app as admins register it (API and CLI): environments in promotion order with their cluster targets. */
export const appDefinitionSchema = z.strictObject({
  environments: z
    .array(
      z.strictObject({
        name,
        namespace: kubernetesName,
        deployment: kubernetesName,
        container: kubernetesName,
        /** As `PUT /v1/apps/{app}/envs/{env}/policy` takes it; omitted = the default (1 approval, 72 h). */
        policy: z.optional(z.unknown()),
      }),
    )
    .check(
      z.length(2, 'an app has exactly two environments: staging then production'),
      z.refine((envs) => new Set(envs.map((e) => e.name)).size === envs.length, 'environment names must differ'),
    ),
});

export type AppDefinition = z.infer<typeof appDefinitionSchema>;

export function toApp(appName: string, definition: AppDefinition): App {
  parseName(appName, 'the app name');
  return {
    name: appName,
    environments: definition.environments.map((env, order) => ({
      app: appName,
      name: env.name,
      order,
      target: { namespace: env.namespace, deployment: env.deployment, container: env.container },
      policy: env.policy === undefined ? DEFAULT_POLICY : policyAt(env.policy, `environments[${order}].policy`),
    })),
  };
}

/** The policy's own message, prefixed with where in the definition it is. */
function policyAt(input: unknown, path: string) {
  try {
    return parsePolicy(input);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}
