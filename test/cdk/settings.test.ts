import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../cdk/settings';

const valid: Record<string, unknown> = {
  clusterName: 'prod-cluster',
  clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com/',
  clusterCertificateAuthority: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64'),
  clusterNamespaces: ['staging', 'prod'],
  mailFrom: 'gatekeeper@mail.example.com',
  sesIdentity: 'example.com',
};

const context = (overrides: Record<string, unknown> = {}) => {
  const values = { ...valid, ...overrides };
  return { tryGetContext: (key: string): unknown => values[key] };
};

describe('readSettings', () => {
  it('reads cdk.json-style context', () => {
    expect(readSettings(context())).toEqual({
      cluster: {
        name: 'prod-cluster',
        endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthority: valid.clusterCertificateAuthority,
        namespaces: ['staging', 'prod'],
      },
      mail: { from: 'gatekeeper@mail.example.com', identity: 'example.com' },
      publicBaseUrl: undefined,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      linkKeyRotationDays: 30,
    });
  });

  it('reads the API throttle and the key rotation interval from numbers or -c strings', () => {
    const settings = readSettings(context({ apiThrottleRateLimit: '20', apiThrottleBurstLimit: 40, linkKeyRotationDays: '60' }));
    expect(settings.apiThrottle).toEqual({ rateLimit: 20, burstLimit: 40 });
    expect(settings.linkKeyRotationDays).toBe(60);
    expect(readSettings(context({ apiThrottleRateLimit: '' })).apiThrottle.rateLimit).toBe(50);
  });

  it('accepts -c strings: comma-separated or JSON namespaces, an empty publicBaseUrl', () => {
    expect(readSettings(context({ clusterNamespaces: 'staging, prod' })).cluster.namespaces).toEqual(['staging', 'prod']);
    expect(readSettings(context({ clusterNamespaces: '["qa"]' })).cluster.namespaces).toEqual(['qa']);
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
});
