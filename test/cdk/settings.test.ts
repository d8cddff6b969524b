import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../cdk/settings';

const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64');

/** The older single-cluster keys. */
const single: Record<string, unknown> = {
  clusterName: 'prod-cluster',
  clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com/',
  clusterCertificateAuthority: ca,
  clusterNamespaces: ['staging', 'prod'],
};

const valid: Record<string, unknown> = {
  ...single,
  mailFrom: 'gatekeeper@mail.example.com',
  sesIdentity: 'example.com',
};

const context = (overrides: Record<string, unknown> = {}) => {
  const values = { ...valid, ...overrides };
  return { tryGetContext: (key: string): unknown => values[key] };
};

const eks = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  eksClusterName: `prod-${name}`,
  endpoint: `https://${name.toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
  certificateAuthority: ca,
  namespaces: ['shop'],
  ...extra,
});
/** A context with `clusters` instead of the single-cluster keys. */
const withClusters = (clusters: unknown, overrides: Record<string, unknown> = {}) =>
  context({ clusterName: undefined, clusterEndpoint: undefined, clusterCertificateAuthority: undefined, clusterNamespaces: undefined, clusters, ...overrides });

describe('readSettings', () => {
  it('reads cdk.json-style context', () => {
    expect(readSettings(context())).toEqual({
      clusters: [
        {
          name: 'default',
          eksClusterName: 'prod-cluster',
          endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
          certificateAuthority: ca,
          namespaces: ['staging', 'prod'],
        },
      ],
      mail: { from: 'gatekeeper@mail.example.com', identity: 'example.com' },
      publicBaseUrl: undefined,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      linkKeyRotationDays: 30,
      dashboardSignIn: { provider: 'cognito', domainPrefix: undefined, groupsClaim: 'cognito:groups' },
    });
  });

  describe('dashboard sign-in', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatekeeper/entra-client-Ab12Cd';
    const external = { oidcIssuer: 'https://login.microsoftonline.com/tenant-id/v2.0/', oidcClientId: '00000000-0000-0000-0000-000000000000', oidcClientSecretArn: arn };

    it('is the stack\'s own Cognito user pool unless an external provider is named; -c strings and a custom domain prefix or groups claim work', () => {
      expect(readSettings(context({ cognitoDomainPrefix: 'acme-deploys', oidcGroupsClaim: 'custom:teams' })).dashboardSignIn).toEqual({ provider: 'cognito', domainPrefix: 'acme-deploys', groupsClaim: 'custom:teams' });
      expect(readSettings(context({ ...external, oidcGroupsClaim: 'groups' })).dashboardSignIn).toEqual({
        provider: 'external',
        issuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
        clientId: '00000000-0000-0000-0000-000000000000',
        clientSecretArn: arn,
        groupsClaim: 'groups',
      });
      expect(readSettings(context({ ...external, oidcGroupsClaim: '' })).dashboardSignIn).toMatchObject({ provider: 'external', groupsClaim: undefined });
    });

    it.each([
      [{ oidcIssuer: external.oidcIssuer }, /oidcClientId: required with oidcIssuer[\s\S]*oidcClientSecretArn: required/],
      [{ ...external, oidcIssuer: 'http://idp.example.com' }, /oidcIssuer: must be the provider's https:\/\/ issuer URL/],
      [{ ...external, oidcClientId: 'has spaces' }, /oidcClientId/],
      [{ ...external, oidcClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:entra_client' }, /six-character suffix/],
      [{ ...external, oidcClientSecretArn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x-Ab12Cd' }, /oidcClientSecretArn/],
      [{ ...external, cognitoDomainPrefix: 'deploys' }, /cognitoDomainPrefix: only for the stack's own Cognito user pool/],
      [{ cognitoDomainPrefix: 'Deploys' }, /cognitoDomainPrefix: must be 1-63 lowercase/],
      [{ cognitoDomainPrefix: 'aws-deploys' }, /reserves them/],
    ])('refuses %j', (overrides, message) => {
      expect(() => readSettings(context(overrides))).toThrow(SettingsError);
      expect(() => readSettings(context(overrides))).toThrow(message);
    });
  });

  it('reads the API throttle and the key rotation interval from numbers or -c strings', () => {
    const settings = readSettings(context({ apiThrottleRateLimit: '20', apiThrottleBurstLimit: 40, linkKeyRotationDays: '60' }));
    expect(settings.apiThrottle).toEqual({ rateLimit: 20, burstLimit: 40 });
    expect(settings.linkKeyRotationDays).toBe(60);
    expect(readSettings(context({ apiThrottleRateLimit: '' })).apiThrottle.rateLimit).toBe(50);
  });

  it('accepts -c strings: comma-separated or JSON namespaces, an empty publicBaseUrl', () => {
    expect(readSettings(context({ clusterNamespaces: 'staging, prod' })).clusters[0]?.namespaces).toEqual(['staging', 'prod']);
    expect(readSettings(context({ clusterNamespaces: '["qa"]' })).clusters[0]?.namespaces).toEqual(['qa']);
    expect(readSettings(context({ publicBaseUrl: '' })).publicBaseUrl).toBeUndefined();
    expect(readSettings(context({ publicBaseUrl: 'https://deploys.example.com/' })).publicBaseUrl).toBe('https://deploys.example.com');
  });

  it.each([
    ['clusterEndpoint', 'http://insecure.example.com'],
    ['clusterCertificateAuthority', 'not base64 pem'],
    ['clusterNamespaces', []],
    ['clusterNamespaces', ['Not_A_Namespace']],
    ['mailFrom', 'gatekeeper@elsewhere.org'],
    ['sesIdentity', 'not a domain'],
    ['publicBaseUrl', 'http://deploys.example.com'],
    ['clusterName', undefined],
    ['apiThrottleRateLimit', 0],
    ['apiThrottleRateLimit', 'fast'],
    ['apiThrottleRateLimit', 20_000],
    ['apiThrottleBurstLimit', 1.5],
    ['apiThrottleBurstLimit', 10_000],
    // Shorter than the longest approval timeout (30 days): see functions/domain/link-keys.ts.
    ['linkKeyRotationDays', 29],
    ['linkKeyRotationDays', 1001],
  ])('rejects %s = %j', (key, value) => {
    expect(() => readSettings(context({ [key]: value }))).toThrow(SettingsError);
  });

  it('accepts an email identity only for that exact sender', () => {
    expect(readSettings(context({ sesIdentity: 'gatekeeper@mail.example.com' })).mail.identity).toBe('gatekeeper@mail.example.com');
    expect(() => readSettings(context({ sesIdentity: 'other@mail.example.com' }))).toThrow(/mailFrom/);
  });

  describe('clusters', () => {
    it('reads a list of clusters in order (the first is the default), from cdk.json or a -c JSON string', () => {
      const clusters = [eks('eu', { namespaces: ['staging', 'prod', 'prod'] }), eks('us', { namespaces: 'prod' })];
      const expected = [eks('eu', { namespaces: ['staging', 'prod'] }), eks('us', { namespaces: ['prod'] })];
      expect(readSettings(withClusters(clusters)).clusters).toEqual(expected);
      expect(readSettings(withClusters(JSON.stringify(clusters))).clusters).toEqual(expected);
    });

    it.each([
      ['no cluster', [], /clusters: must list at least one cluster/],
      ['not JSON', '[{', /clusters: must be a JSON array of clusters/],
      ['a name twice', [eks('eu'), eks('eu', { eksClusterName: 'other' })], /clusters: each name may appear once \(eu appear/],
      ['an EKS cluster twice', [eks('eu'), eks('us', { eksClusterName: 'prod-eu' })], /each eksClusterName may appear once \(prod-eu/],
      ['an invalid name', [eks('EU')], /clusters\.0\.name: must be a cluster name/],
      ['a plain-HTTP endpoint', [eks('eu', { endpoint: 'http://eu.example.com' })], /clusters\.0\.endpoint/],
      ['a CA that is not base64 PEM', [eks('eu'), eks('us', { certificateAuthority: 'nope' })], /clusters\.1\.certificateAuthority: must be base64-encoded PEM/],
      ['no namespaces', [eks('eu', { namespaces: [] })], /clusters\.0\.namespaces/],
      ['a misspelt key', [eks('eu', { namespace: ['shop'] })], /clusters\.0: Unrecognized key: "namespace"/],
    ])('refuses clusters with %s', (_, clusters, message) => {
      expect(() => readSettings(withClusters(clusters))).toThrow(SettingsError);
      expect(() => readSettings(withClusters(clusters))).toThrow(message);
    });

    it('wants either clusters or the single-cluster keys, naming what is missing or too much', () => {
      expect(() => readSettings(withClusters(undefined))).toThrow(/clusters: required: the EKS clusters to deploy to/);
      expect(() => readSettings(withClusters([eks('eu')], { clusterName: 'prod-cluster' }))).toThrow(/set either clusters or the single-cluster keys .*not both: clusterName is set too/);
      expect(() => readSettings(context({ clusterEndpoint: undefined, clusterNamespaces: undefined }))).toThrow(
        /clusterEndpoint: required with clusterName, clusterCertificateAuthority[^\n]*\n\s+clusterNamespaces: required with/,
      );
    });
  });
});
