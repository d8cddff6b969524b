import { describe, expect, it } from 'vitest';
import { ConfigurationError, readMailConfig, readSigningConfig } from '../functions/config';

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
});
