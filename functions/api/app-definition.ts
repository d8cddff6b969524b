import * as z from 'zod/mini';
import { pipelineOf, type App } from '../domain/catalog';
import { MAX_ENVIRONMENTS } from '../domain/pipeline';
import { ValidationError } from '../domain/errors';
import { isName, NAME_RULE, parseName } from '../domain/names';
import { DEFAULT_POLICY, parsePolicy } from '../domain/policy';

/** Environment names follow the one name rule (apps, environments, groups). */
const name = z.string().check(z.refine(isName, NAME_RULE));
/** Kubernetes object names (RFC 1123 labels): the cluster's rule, not ours. */
const kubernetesName = z.string().check(z.regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a Kubernetes name: lowercase letters, digits and "-", at most 63 characters, starting and ending with a letter or digit'));

/**
 * An app as admins register it (API and CLI): its environments with their
 * cluster targets and what each follows. Without any `after`, the list is a
 * chain in the order given (`staging`, then `prod`); with one, every
 * environment names what it follows and those naming nothing start the
 * pipeline.
 */
export const appDefinitionSchema = z.strictObject({
  environments: z
    .array(
      z.strictObject({
        name,
        /** The environments that must succeed before this one starts. */
        after: z.optional(z.array(name).check(z.maxLength(MAX_ENVIRONMENTS))),
        /** The cluster it lives in (a kubeconfig context locally, a `clusters` entry in AWS); omitted = the default cluster. */
        cluster: z.optional(name),
        namespace: kubernetesName,
        deployment: kubernetesName,
        container: kubernetesName,
        /** As `PUT /v1/apps/{app}/envs/{env}/policy` takes it (including checks); omitted = the default (1 approval, 72 h). */
        policy: z.optional(z.unknown()),
      }),
    )
    .check(z.minLength(1, 'an app needs at least one environment'), z.maxLength(MAX_ENVIRONMENTS, `an app has at most ${MAX_ENVIRONMENTS} environments`)),
});

export type AppDefinition = z.infer<typeof appDefinitionSchema>;

export function toApp(appName: string, definition: AppDefinition): App {
  parseName(appName, 'the app name');
  const app: App = {
    name: appName,
    environments: definition.environments.map((env, order) => ({
      app: appName,
      name: env.name,
      order,
      ...(env.after ? { after: env.after } : {}),
      target: { namespace: env.namespace, deployment: env.deployment, container: env.container, ...(env.cluster ? { cluster: env.cluster } : {}) },
      policy: env.policy === undefined ? DEFAULT_POLICY : policyAt(env.policy, `environments[${order}].policy`),
    })),
  };
  const graphed = definition.environments.some((env) => env.after !== undefined);
  // Once the graph is explicit, an environment without `after` starts the pipeline.
  if (graphed) app.environments = app.environments.map((env) => ({ ...env, after: env.after ?? [] }));
  pipelineOf(app); // refuses duplicate names, unknown `after` entries and cycles, naming them
  return app;
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
