import { Aws, Duration, Fn, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  type CfnUserPoolClient,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import type { DashboardSignInSettings } from '../settings';

export interface DashboardSignInProps {
  settings: DashboardSignInSettings;
  /** Gatekeeper's public origin, no trailing slash: the callback and sign-out URLs hang off it. */
  publicBaseUrl: string;
}

/**
 * Dashboard sign-in: by default a Cognito user pool of the stack's own (people
 * sign in with their email address, MFA required, a hosted managed-login
 * domain) and one confidential app client (authorization code grant; Gatekeeper
 * always sends PKCE S256); or, with the `oidcIssuer`, `oidcClientId` and
 * `oidcClientSecretArn` context, an external OpenID Connect provider and no
 * user pool. Either way the API Lambda gets OIDC_ISSUER, OIDC_CLIENT_ID and
 * the ARNs of the client secret and of a generated session-signing key
 * (never the values), and may read exactly those two secrets.
 */
export class DashboardSignIn extends Construct {
  /** What the API Lambda gets (functions/config: the dashboard section). */
  readonly environment: Record<string, string>;
  readonly sessionSecret: Secret;
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly domain?: UserPoolDomain;
  private readonly clientSecretArn: string;

  constructor(scope: Construct, id: string, props: DashboardSignInProps) {
    super(scope, id);
    const { settings, publicBaseUrl } = props;
    const callbackUrl = `${publicBaseUrl}/auth/callback`;

    this.sessionSecret = new Secret(this, 'SessionSecret', {
      description: 'Gatekeeper: HMAC key that signs dashboard session cookies',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    acknowledgeNag(
      this.sessionSecret,
      'SMG4',
      'The session-signing key is not rotated on a schedule: a rotation would sign every person out of the dashboard at once. Sessions ' +
        'last at most 8 hours; to end them all (e.g. after a suspected leak), put a new random value in the secret and the API picks it up within 5 minutes.',
    );

    if (settings.provider === 'external') {
      this.clientSecretArn = settings.clientSecretArn;
      this.environment = {
        OIDC_ISSUER: settings.issuer,
        OIDC_CLIENT_ID: settings.clientId,
        OIDC_CLIENT_SECRET_ARN: settings.clientSecretArn,
        SESSION_SECRET_ARN: this.sessionSecret.secretArn,
        ...(settings.groupsClaim ? { OIDC_GROUPS_CLAIM: settings.groupsClaim } : {}),
      };
      return;
    }

    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-dashboard`,
      // People are invited by an administrator; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      keepOriginal: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      userPool,
      'COG8',
      'The Plus feature plan (threat protection: compromised-credential and adaptive authentication) is billed per monthly active user. ' +
        'Sign-in already requires a 12-character password and TOTP MFA, and every dashboard decision needs a sign-in from the last 15 minutes. ' +
        'Switch featurePlan to PLUS in cdk/constructs/sign-in.ts to add it.',
    );

    // `gatekeeper-<UUID of the stack id>`: unique per stack, valid, and free of Cognito's reserved words (hex has no w, m, z, o).
    const domainPrefix = settings.domainPrefix ?? Fn.join('-', ['gatekeeper', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    const domain = userPool.addDomain('Domain', { cognitoDomain: { domainPrefix }, managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN });

    const client = userPool.addClient('DashboardClient', {
      userPoolClientName: 'gatekeeper-dashboard',
      generateSecret: true,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [callbackUrl],
        logoutUrls: [`${publicBaseUrl}/auth/signed-out`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Gatekeeper only reads the ID token once, at sign-in; its own session lasts 8 hours.
      idTokenValidity: Duration.minutes(15),
      accessTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(8),
    });
    // Managed login (which honours prompt=login for step-up) needs a style; Cognito's own.
    new CfnManagedLoginBranding(this, 'LoginBranding', { userPoolId: userPool.userPoolId, clientId: client.userPoolClientId, useCognitoProvidedValues: true });

    // The client secret, straight from the app client's attribute (no custom resource Lambda), into Secrets Manager.
    const clientSecret = new Secret(this, 'ClientSecret', {
      description: 'Gatekeeper: the dashboard app client secret (Cognito)',
      secretStringValue: SecretValue.resourceAttribute((client.node.defaultChild as CfnUserPoolClient).attrClientSecret),
    });
    acknowledgeNag(
      clientSecret,
      'SMG4',
      'A copy of the Cognito app client secret: Cognito issues it and Secrets Manager cannot rotate it. It is replaced with the app client ' +
        '(e.g. by changing the client in this stack), and only the API Lambda may read it.',
    );

    this.userPool = userPool;
    this.client = client;
    this.domain = domain;
    this.clientSecretArn = clientSecret.secretArn;
    this.environment = {
      OIDC_ISSUER: userPool.userPoolProviderUrl,
      OIDC_CLIENT_ID: client.userPoolClientId,
      OIDC_CLIENT_SECRET_ARN: clientSecret.secretArn,
      SESSION_SECRET_ARN: this.sessionSecret.secretArn,
      OIDC_GROUPS_CLAIM: settings.groupsClaim,
    };
  }

  /** The API Lambda reads the client secret and the session key, and nothing else of Secrets Manager's. */
  allowRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.clientSecretArn, this.sessionSecret.secretArn] }),
    );
  }
}
