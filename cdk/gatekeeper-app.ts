import type { App, Environment } from 'aws-cdk-lib';
import { GatekeeperStack } from './gatekeeper-stack';
import { addNagChecks } from './nag';
import { readSettings } from './settings';

/**
 * The CDK app's contents, shared by `cdk/bin/app.ts` and the tests so that both
 * synthesize exactly the same thing, cdk-nag (AWS Solutions) included: synth
 * fails on any finding not fixed or acknowledged with a reason in the code.
 */
export function defineGatekeeperApp(app: App, env?: Environment): GatekeeperStack {
  addNagChecks(app);
  return new GatekeeperStack(app, 'GatekeeperStack', {
    env,
    settings: readSettings(app.node),
    description: 'Gatekeeper: approval-gated Kubernetes deployments',
  });
}
