import type { ApiDeps } from '../../../functions/api/deps';
import { buildApiDeps } from '../../../functions/runtime/api';

/**
 * The API's dependencies as Lambda would build them, with every endpoint pointing nowhere
 * (port 9): for tests of routing and documents that never reach a dependency.
 */
export function offlineApiDeps(tableName: string): ApiDeps {
  return buildApiDeps({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:gatekeeper',
    MAIL_FROM: 'gatekeeper@example.com',
    PUBLIC_BASE_URL: 'https://gatekeeper.example.com',
    LINK_SIGNING_SECRET: 'l'.repeat(32),
    OIDC_ISSUER: 'https://idp.example.com',
    OIDC_CLIENT_ID: 'gatekeeper',
    OIDC_CLIENT_SECRET: 'client-secret',
    SESSION_SECRET: 's'.repeat(32),
  });
}
