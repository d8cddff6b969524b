import { Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
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

/**
 * The paths the API face (functions/lambda/api.ts, createApiApp) answers: /v1, the emailed
 * links, the OpenAPI document and its page, health. The rest goes to the dashboard face.
 * `{proxy+}` does not match the bare prefix, which neither face answers.
 */
export const API_FACE_ROUTES = ['/v1/{proxy+}', '/approve/{proxy+}', '/openapi.json', '/docs', '/healthz', '/readyz'] as const;

export interface ApiProps {
  /** Default-stage throttle: every route, every caller together. */
  throttle: ApiThrottleSettings;
}

/**
 * The public HTTP API. Created before the API's Lambdas (whose PUBLIC_BASE_URL is this
 * API's endpoint); the routes to them are added afterwards with `routeTo`.
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

  /**
   * One Lambda per face of the Hono app, payload format 2.0: the API face's paths
   * (API_FACE_ROUTES) to `api`, everything else (`$default`: the dashboard's pages,
   * sign-in and assets) to `dashboard`. Health answers on both; it is routed to the API.
   */
  routeTo(faces: { api: IFunction; dashboard: IFunction }): HttpRoute[] {
    const integration = (id: string, handler: IFunction) => new HttpLambdaIntegration(id, handler, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 });
    const api = integration('ApiIntegration', faces.api);
    const routes = API_FACE_ROUTES.map(
      (path) => new HttpRoute(this, `ApiRoute${path.replace(/\W+/g, '-')}`, { httpApi: this.httpApi, routeKey: HttpRouteKey.with(path, HttpMethod.ANY), integration: api }),
    );
    routes.push(new HttpRoute(this, 'DefaultRoute', { httpApi: this.httpApi, routeKey: HttpRouteKey.DEFAULT, integration: integration('DashboardIntegration', faces.dashboard) }));
    for (const route of routes) {
      acknowledgeNag(
        route,
        'APIG4',
        'The Lambdas authorize every request themselves: /v1 needs a bearer token (only its SHA-256 is stored, checked against ' +
          'revocation and expiry in DynamoDB, then role grants per app and environment); /approve links carry an HMAC-signed claim; ' +
          'the dashboard needs a signed session cookie from its OpenID Connect sign-in (/auth); only /healthz, /readyz, the OpenAPI document and the sign-in itself are open. ' +
          'An API Gateway authorizer cannot check signed links or session cookies and would duplicate the token lookup.',
      );
    }
    return routes;
  }
}
