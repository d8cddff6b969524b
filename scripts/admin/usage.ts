import { ROLES } from '../../functions/domain/authorization';

/** How to point the CLI at the table `npm start` creates (also printed when TABLE_NAME is missing). */
export const LOCAL_SETTINGS = 'TABLE_NAME=gatekeeper-local DYNAMODB_ENDPOINT=http://127.0.0.1:8006';

export const HELP_HINT = 'Run "npm run admin -- --help" for usage.';

export const USAGE = `Gatekeeper admin CLI: bootstraps a Gatekeeper table directly in DynamoDB (with your AWS
credentials), before any admin exists. Day-to-day administration (policies, groups, grants,
tokens) is the management API, which checks the caller's roles; this CLI does not.

Usage: npm run admin -- <command> [options]

Commands:
  grant --user <email|ci:name> --role <role> [--app <app>] [--env <env>]
      Grant a role to a person or a CI identity. --app and --env default to * (every app,
      every environment). Roles: ${ROLES.join(', ')}.
      Granting what the user already has changes nothing.

  token create --identity <email|ci:name> [--days <1-366>] [--description <text>]
      Create an API token. The secret is printed once; only its SHA-256 is stored.
      Without --days it never expires.

  app put <file.json>
      Register a new app and its two environments (staging, then production) from a file
      like examples/hello-web.app.json. An app that is already registered is refused:
      change an environment's policy with PUT /v1/apps/<app>/envs/<env>/policy, which
      voids the requests pending under the old policy.

  help, --help, -h
      This text.

Every command takes:
  --as <email>        who you are; the audit trail names you as the actor of the change.
                      Default: $GATEKEEPER_ACTOR. With neither, your OS login (cli:<user>),
                      with a warning.

Environment:
  TABLE_NAME          the Gatekeeper table (required): the stack's TableName output in AWS
  AWS_REGION          the stack's region (default us-east-1)
  AWS_PROFILE, AWS_ACCESS_KEY_ID, …   your AWS credentials, as for the AWS CLI
  DYNAMODB_ENDPOINT   only for the local stack: DynamoDB Local
  GATEKEEPER_ACTOR    the default for --as

  Locally, with npm start running: ${LOCAL_SETTINGS}
  (\`source .gatekeeper/env\` sets both; no AWS credentials are needed).

Examples:
  # bootstrap a fresh AWS deployment
  export TABLE_NAME=<TableName output> GATEKEEPER_ACTOR=you@example.com
  npm run admin -- grant --user you@example.com --role admin
  npm run admin -- token create --identity you@example.com --days 30
  npm run admin -- app put examples/hello-web.app.json
  npm run admin -- grant --user ci:my-pipeline --role deployer --app hello-web
  npm run admin -- token create --identity ci:my-pipeline --days 90 --description "GitHub Actions"

  # against the local stack
  source .gatekeeper/env
  npm run admin -- token create --identity ci:my-pipeline --as admin@example.com

Exit status: 0 done; 1 refused or failed (the message says why); 2 bad usage or configuration.
`;
