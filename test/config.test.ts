import { describe, expect, it } from 'vitest';
import { ConfigurationError, readKubernetesConfig, readMailConfig, readSigningConfig } from '../functions/config';

describe('configuration', () => {
  it('names every missing or invalid variable', () => {
    expect(() => readMailConfig({})).toThrow(ConfigurationError);
    expect(() => readMailConfig({ MAIL_FROM: 'nope', PUBLIC_BASE_URL: 'also nope' })).toThrow(/MAIL_FROM: must be an email address.*PUBLIC_BASE_URL: must be an absolute URL/);
  });

  it('trims a trailing slash from the public URL', () => {
    expect(readMailConfig({ MAIL_FROM: 'gk@example.com', PUBLIC_BASE_URL: 'https://gk.example.com/' }).PUBLIC_BASE_URL).toBe('https://gk.example.com');
  });

  it('wants exactly one source for the signing key, never printing it', () => {
    expect(() => readSigningConfig({})).toThrow(/exactly one of LINK_SIGNING_SECRET/);
    expect(() => readSigningConfig({ LINK_SIGNING_SECRET: 'short-secret-value' })).toThrow(/at least 32 characters/);
    try {
      readSigningConfig({ LINK_SIGNING_SECRET: 'short-secret-value' });
    } catch (error) {
      expect(String(error)).not.toContain('short-secret-value');
    }
  });

  describe('kubernetes: the clusters', () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const eks = (name: string, extra: Record<string, unknown> = {}) => ({ name, eksClusterName: `prod-${name}`, endpoint: `https://${name.toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`, certificateAuthority: ca, ...extra });
    const clusters = (...entries: unknown[]) => ({ CLUSTERS: JSON.stringify(entries) });

    it('reads CLUSTERS as EKS clusters in their order (the first is the default)', () => {
      expect(readKubernetesConfig(clusters(eks('eu'), eks('us')))).toEqual({ CLUSTERS: [eks('eu'), eks('us')], ROLLOUT_TIMEOUT_SECONDS: 300, ROLLOUT_POLL_MS: 2000 });
    });

    it('reads a kubeconfig path as it is (its contexts are the clusters)', () => {
      expect(readKubernetesConfig({ KUBECONFIG_PATH: '/k', ROLLOUT_POLL_MS: '50' })).toEqual({ KUBECONFIG_PATH: '/k', ROLLOUT_TIMEOUT_SECONDS: 300, ROLLOUT_POLL_MS: 50 });
    });

    it('reads EKS_CLUSTER_NAME, EKS_CLUSTER_ENDPOINT and EKS_CLUSTER_CA as one cluster named default', () => {
      const { CLUSTERS } = readKubernetesConfig({ EKS_CLUSTER_NAME: 'prod-eu', EKS_CLUSTER_ENDPOINT: 'https://EU.gr7.eu-west-1.eks.amazonaws.com', EKS_CLUSTER_CA: ca });
      expect(CLUSTERS).toEqual([eks('default', { eksClusterName: 'prod-eu', endpoint: 'https://EU.gr7.eu-west-1.eks.amazonaws.com' })]);
      expect(() => readKubernetesConfig({ EKS_CLUSTER_NAME: 'prod-eu' })).toThrow(/go together \(missing EKS_CLUSTER_ENDPOINT, EKS_CLUSTER_CA\)/);
    });

    it('wants exactly one way', () => {
      expect(() => readKubernetesConfig({})).toThrow(/set KUBECONFIG_PATH .* or CLUSTERS/);
      expect(() => readKubernetesConfig({ KUBECONFIG_PATH: '/k', ...clusters(eks('eu')) })).toThrow(/set only one of .*found KUBECONFIG_PATH and CLUSTERS/);
      expect(() => readKubernetesConfig({ ...clusters(eks('eu')), EKS_CLUSTER_NAME: 'a', EKS_CLUSTER_ENDPOINT: 'https://a.example', EKS_CLUSTER_CA: ca })).toThrow(/set only one of/);
    });

    it.each([
      ['not JSON', '[{', /CLUSTERS: must be a JSON array of clusters/],
      ['no cluster', '[]', /CLUSTERS: must name at least one cluster/],
      ['a name twice', JSON.stringify([eks('eu'), eks('eu')]), /CLUSTERS: cluster names must be unique/],
      ['an invalid name', JSON.stringify([eks('EU')]), /CLUSTERS\.0\.name: must be a cluster name/],
      ['a plain-HTTP endpoint', JSON.stringify([eks('eu', { endpoint: 'http://eu.example' })]), /CLUSTERS\.0\.endpoint: must be the https:\/\/ endpoint/],
      ['a CA that is not base64 PEM', JSON.stringify([eks('eu'), eks('us', { certificateAuthority: 'pem?' })]), /CLUSTERS\.1\.certificateAuthority: must be base64 PEM/],
      ['an invalid EKS name', JSON.stringify([eks('eu', { eksClusterName: 'no spaces' })]), /CLUSTERS\.0\.eksClusterName: must be an EKS cluster name/],
    ])('refuses CLUSTERS with %s', (_, value, message) => {
      expect(() => readKubernetesConfig({ CLUSTERS: value })).toThrow(ConfigurationError);
      expect(() => readKubernetesConfig({ CLUSTERS: value })).toThrow(message);
    });
  });
});
