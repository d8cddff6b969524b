import { App } from 'aws-cdk-lib';
import type { Environment } from 'aws-cdk-lib';
import { defineGatekeeperApp } from '../gatekeeper-app';

/**
 * Pinned to the CLI's account and region when it knows both (it has credentials);
 * environment-agnostic otherwise. Never region alone: without credentials the CLI
 * still reports its fallback region (us-east-1), which would end up in every ARN.
 */
function environment(): Environment | undefined {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

const app = new App();
defineGatekeeperApp(app, environment());
app.synth();
