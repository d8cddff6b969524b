import { Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpRoute, HttpRouteKey, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import type { ApiThrottleSettings } from '../settings';
import { operationalLogGroup } from './log-group';

/**
 * Access log line. No path or query string: approval links carry their signed
 * token there, and a log reader must not be able to replay an approval.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface ApiProps {
  /** Default-stage throttle: every route, every caller together. */
  throttle: ApiThrottleSettings;
}

/**
 * The public HTTP API. Created before the API Lambda (whose PUBLIC_BASE_URL is this
 * API's endpoint); the `$default` route to it is added afterwards with `routeTo`.
 * The HttpApi resource does not depend on its routes, so there is no cycle.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: IHttpStage;
  /** `https://{apiId}.execute-api.{region}.amazonaws.com`, no trailing slash. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Gatekeeper: CI API and email approval links',
      createDefaultStage: false,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(operationalLogGroup(this, 'AccessLogs')),
        format: accessLogFormat,
      },
    });
    this.endpoint = this.httpApi.apiEndpoint;
  }

  /** Sends every request (`$default` route) to `handler`, payload format 2.0. */
  routeTo(handler: IFunction): HttpRoute {
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('ApiIntegration', handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    acknowledgeNag(
      route,
      'APIG4',
      'The API Lambda authorizes every request itself: /v1 needs a bearer token (only its SHA-256 is stored, checked against ' +
        'revocation and expiry in DynamoDB, then role grants per app and environment); /approve links carry an HMAC-signed claim; ' +
        'the dashboard needs a signed session cookie from its OpenID Connect sign-in (/auth); only /healthz, /readyz and the sign-in itself are open. ' +
        'An API Gateway authorizer cannot check signed links or session cookies and would duplicate the token lookup.',
    );
    return route;
  }
}
