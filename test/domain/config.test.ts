import { describe, expect, it } from 'vitest';
import { configHash, mergeConfig, parseConfig, refuseSecrets, SecretInConfigError, type AppConfig } from '../../functions/domain/config';
import { compareQuantities, parseQuantity } from '../../functions/domain/config-quantity';
import { ValidationError } from '../../functions/domain/errors';

const messageOf = (input: unknown, options?: { maxReplicas?: number }): string => {
  try {
    parseConfig(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
};

const secretFields = (config: AppConfig): string[] => {
  try {
    refuseSecrets(config);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretInConfigError);
    return (error as SecretInConfigError).fields;
  }
  return [];
};

describe('parseConfig', () => {
  const valid = {
    replicas: 3,
    env: { LOG_LEVEL: 'info', DB_PASSWORD: { secretRef: { name: 'db-credentials', key: 'password' } } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '0.5', memory: '1Gi' } },
    configMap: { 'app.yaml': 'port: 8080\n', 'feature.flags': 'a=1' },
  };

  it('accepts a full configuration unchanged', () => {
    expect(parseConfig(valid)).toEqual(valid);
    expect(parseConfig({})).toEqual({});
  });

  it('checks replicas against the range', () => {
    expect(messageOf({ replicas: -1 })).toContain('replicas: must be an integer from 0 to 100, got -1');
    expect(messageOf({ replicas: 1.5 })).toContain('replicas: must be an integer');
    expect(messageOf({ replicas: '3' })).toContain('got "3"');
    expect(messageOf({ replicas: 11 }, { maxReplicas: 10 })).toContain('from 0 to 10, got 11');
    expect(parseConfig({ replicas: 0 })).toEqual({ replicas: 0 });
  });

  it('validates Kubernetes quantities', () => {
    expect(messageOf({ resources: { limits: { cpu: '12 cores' } } })).toContain('resources.limits.cpu: "12 cores" is not a Kubernetes quantity');
    for (const bad of ['1K', '1gi', '-1', '', '1.2.3', 'm', '1e999']) {
      expect(messageOf({ resources: { requests: { memory: bad } } })).toContain('resources.requests.memory');
    }
    expect(messageOf({ resources: { requests: { cpu: 2 } } })).toContain('resources.requests.cpu: 2 is not a Kubernetes quantity');
    for (const good of ['100m', '0.5', '2', '.5', '128Mi', '1Gi', '500M', '1e3', '1E-3', '250u', '1k']) {
      expect(parseQuantity(good), good).toBeDefined();
    }
  });

  it('compares quantities exactly across suffixes', () => {
    const cmp = (a: string, b: string) => compareQuantities(parseQuantity(a)!, parseQuantity(b)!);
    expect(cmp('500m', '0.5')).toBe(0);
    expect(cmp('1Gi', '1G')).toBe(1);
    expect(cmp('1e3', '1k')).toBe(0);
    expect(cmp('1024Mi', '1Gi')).toBe(0);
    expect(cmp('999m', '1')).toBe(-1);
  });

  it('refuses requests above limits, comparing parsed quantities', () => {
    expect(messageOf({ resources: { requests: { cpu: '2' }, limits: { cpu: '1500m' } } })).toContain(
      'resources.requests.cpu: request "2" exceeds the limit resources.limits.cpu "1500m"',
    );
    expect(messageOf({ resources: { requests: { memory: '2Gi' }, limits: { memory: '2G' } } })).toContain('resources.requests.memory');
    expect(parseConfig({ resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } } })).toBeDefined();
  });

  it('validates env names, values and secret references', () => {
    expect(messageOf({ env: { '1BAD': 'x' } })).toContain('env["1BAD"]: not a valid variable name');
    expect(messageOf({ env: { 'MY-VAR': 'x' } })).toContain('env["MY-VAR"]');
    expect(messageOf({ env: { BIG: 'x'.repeat(32 * 1024 + 1) } })).toContain('env.BIG: value is longer than 32 KiB');
    expect(messageOf({ env: { N: 5 } })).toContain('env.N: must be a string or {"secretRef"');
    expect(messageOf({ env: { S: { secretRef: { name: 'Bad_Name', key: 'k' } } } })).toContain('env.S.secretRef.name');
    expect(messageOf({ env: { S: { secretRef: { name: 'db', key: 'a/b' } } } })).toContain('env.S.secretRef.key');
    expect(messageOf({ env: { S: { secretRef: { name: 'db', key: 'k', optional: true } } } })).toContain('env.S.secretRef.optional: unknown field');
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, 'x']));
    expect(messageOf({ env: many })).toContain('env: at most 100 variables');
  });

  it('limits configMap keys and total size', () => {
    expect(messageOf({ configMap: { 'a b': 'x' } })).toContain('configMap["a b"]: key must match');
    expect(messageOf({ configMap: { k: 1 } })).toContain('configMap["k"]: must be a string');
    const big = { configMap: { a: 'x'.repeat(512 * 1024), b: 'y'.repeat(512 * 1024) } };
    expect(messageOf(big)).toContain('configMap: total size is 1048578 bytes');
    // Multi-byte characters count as their UTF-8 length.
    expect(messageOf({ configMap: { k: 'é'.repeat(512 * 1024) } })).toContain('configMap: total size');
    expect(parseConfig({ configMap: { k: 'x'.repeat(1024 * 1024 - 2) } })).toBeDefined();
  });

  it('refuses unknown fields at every level, reporting all problems at once', () => {
    const message = messageOf({ replica: 3, resources: { request: {}, limits: { gpu: '1' } }, env: { OK: 'x' } });
    expect(message).toContain('replica: unknown field');
    expect(message).toContain('resources.request: unknown field');
    expect(message).toContain('resources.limits.gpu: unknown field');
    expect(messageOf([])).toContain('config: must be an object, got an array');
    expect(messageOf(null)).toContain('config: must be an object, got null');
  });

  it('keeps a __proto__ key as plain data', () => {
    const parsed = parseConfig(JSON.parse('{"env": {"__proto__": "x"}}'));
    expect(Object.keys(parsed.env ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed.env)).toBe(Object.prototype);
  });
});

describe('refuseSecrets', () => {
  const githubToken = ['ghp', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('_');
  const slackToken = ['xoxb', '123456789012', 'abcdefABCDEF'].join('-');
  const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk'].join('.');

  it.each([
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['an AWS session key id', 'ASIAIOSFODNN7EXAMPLE'],
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----'],
    ['an OpenSSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    ['a JWT', jwt],
    ['a GitHub token', githubToken],
    ['a Slack token', slackToken],
    ['a URL with credentials', 'postgres://app:hunter2@db.internal:5432/app'],
  ])('refuses %s whatever the name', (_, value) => {
    expect(secretFields({ env: { HARMLESS_NAME: value } })).toEqual(['env.HARMLESS_NAME']);
    expect(secretFields({ configMap: { 'app.yaml': `db:\n  value: ${value}\n` } })).toEqual(['configMap["app.yaml"]']);
  });

  it.each(['DB_PASSWORD', 'db_password', 'SMTP_PASSWD', 'CLIENT_SECRET', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'APIKEY', 'JWT_PRIVATE_KEY', 'AWS_SECRET_ACCESS_KEY', 'GCP_CREDENTIALS', 'DB_PASS', 'apiKey'])(
    'refuses a literal value under %s',
    (name) => {
      expect(secretFields({ env: { [name]: 'hunter2' } })).toEqual([`env.${name}`]);
    },
  );

  it('lists every offending field without revealing values, and points to secretRef', () => {
    let error: unknown;
    try {
      refuseSecrets({ env: { DB_PASSWORD: 'hunter2', AWS_KEY: 'AKIAIOSFODNN7EXAMPLE', OK: 'fine' }, configMap: { creds: 'https://u:p4ss@example.com' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SecretInConfigError);
    const secretError = error as SecretInConfigError;
    expect(secretError.fields).toEqual(['env.DB_PASSWORD', 'env.AWS_KEY', 'configMap["creds"]']);
    expect(secretError.message).toContain('{"secretRef": {"name": "...", "key": "..."}}');
    expect(secretError.message).not.toContain('hunter2');
    expect(secretError.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(secretError).toMatchObject({ type: 'secret-in-config', status: 422, name: 'SecretInConfig' });
  });

  it('refuses a random-looking value under a weakly secret-looking name', () => {
    expect(secretFields({ env: { SESSION_KEY: 'q8Zr4Lm2Xv9Tn6Bw1Ks7Hd3Jf5Gp0Yc2' } })).toEqual(['env.SESSION_KEY']);
    expect(secretFields({ env: { HMAC_KEY: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' } })).toEqual(['env.HMAC_KEY']);
    expect(secretFields({ configMap: { 'signing-key': 'q8Zr4Lm2Xv9Tn6Bw1Ks7Hd3Jf5Gp0Yc2' } })).toEqual(['configMap["signing-key"]']);
    // The same value under an ordinary name is just data (a build id, a checksum).
    expect(secretFields({ env: { BUILD_SHA: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' } })).toEqual([]);
  });

  it('accepts secret references, empty values and ordinary values', () => {
    const config: AppConfig = {
      env: {
        DB_PASSWORD: { secretRef: { name: 'db', key: 'password' } },
        API_TOKEN: '',
        LOG_LEVEL: 'INFO',
        FEATURE_ENABLED: 'true',
        SERVICE_URL: 'https://api.example.com:8443/v1?x=1',
        DATABASE_URL: 'postgres://app:$(DB_PASSWORD)@db:5432/app',
        TOKEN_FILE: '/var/run/secrets/token',
        SECRET_NAME: 'db-credentials',
        PASSWORD_MIN_LENGTH: '12',
        TOKEN_TTL: '3600',
        KEY_PREFIX: 'cache:',
        PWD: '/app',
        EMAIL: 'ops@example.com',
      },
      configMap: { 'app.yaml': 'log: INFO\nurl: https://example.com/path\nuser: someone@example.com\n', 'token-config.yaml': 'ttl: 60' },
    };
    expect(() => refuseSecrets(config)).not.toThrow();
  });
});

describe('mergeConfig', () => {
  const base: AppConfig = {
    replicas: 2,
    env: { LOG_LEVEL: 'info', REGION: 'eu-west-1' },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1' } },
    configMap: { 'app.yaml': 'a: 1', 'other.txt': 'x' },
  };

  it('lets the override win per key, merging nested maps', () => {
    const merged = mergeConfig(base, {
      replicas: 5,
      env: { LOG_LEVEL: 'debug', DB_PASSWORD: { secretRef: { name: 'db', key: 'pw' } } },
      resources: { limits: { memory: '1Gi' } },
      configMap: { 'app.yaml': 'a: 2' },
    });
    expect(merged).toEqual({
      replicas: 5,
      env: { LOG_LEVEL: 'debug', REGION: 'eu-west-1', DB_PASSWORD: { secretRef: { name: 'db', key: 'pw' } } },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      configMap: { 'app.yaml': 'a: 2', 'other.txt': 'x' },
    });
  });

  it('keeps the base where the override is silent, and does not mutate either side', () => {
    const copy = structuredClone(base);
    expect(mergeConfig(base, {})).toEqual(base);
    expect(mergeConfig({}, base)).toEqual(base);
    expect(mergeConfig(base, { replicas: 0 }).replicas).toBe(0);
    expect(mergeConfig(base, { env: { X: undefined as unknown as string } }).env).toEqual(base.env);
    expect(base).toEqual(copy);
  });
});

describe('configHash', () => {
  it('is stable under key order and changes with content', () => {
    const a: AppConfig = { replicas: 2, env: { A: '1', B: '2' }, resources: { limits: { memory: '1Gi', cpu: '1' } } };
    const b: AppConfig = { resources: { limits: { cpu: '1', memory: '1Gi' } }, env: { B: '2', A: '1' }, replicas: 2 };
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(configHash({ ...a, replicas: 3 })).not.toBe(configHash(a));
  });
});
