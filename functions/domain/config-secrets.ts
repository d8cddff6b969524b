import type { AppConfig } from './config';
import { SecretInConfigError } from './errors';

export { SecretInConfigError };


/**
 * Refuses a configuration that carries credentials. Configuration is shown in
 * diffs, approval emails and the audit log, so a secret in it leaks to everyone
 * who reviews a change; it belongs in a Kubernetes Secret, referenced from env.
 * Every offending field is listed, by path only: the message must not leak the value.
 */
export function refuseSecrets(config: AppConfig): void {
  const findings: Array<[path: string, reason: string]> = [];
  for (const [name, value] of Object.entries(config.env ?? {})) {
    if (typeof value !== 'string' || value === '') continue;
    const reason = credentialShape(value) ?? (secretName(name, 'strong') ? 'secret-looking name with a literal value' : randomUnderSecretName(name, value));
    if (reason) findings.push([`env.${name}`, reason]);
  }
  for (const [key, value] of Object.entries(config.configMap ?? {})) {
    // ConfigMap keys are often file names ("token-config.yaml"), so only the value decides here.
    const reason = credentialShape(value) ?? randomUnderSecretName(key, value);
    if (reason) findings.push([`configMap[${JSON.stringify(key)}]`, reason]);
  }
  if (findings.length === 0) return;
  const listed = findings.map(([path, reason]) => `${path} (${reason})`).join('; ');
  throw new SecretInConfigError(
    findings.map(([path]) => path),
    `Secrets do not belong in configuration: ${listed}. Store each in a Kubernetes Secret and reference it from env as {"secretRef": {"name": "...", "key": "..."}}.`,
  );
}

const CREDENTIAL_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, 'looks like an AWS access key id'],
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, 'contains a private key'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/, 'looks like a JSON Web Token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/, 'looks like a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'looks like a Slack token'],
];
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]+:([^\s/?#@]+)@/gi;
// Kubernetes expands $(VAR) in env values: "postgres://app:$(DB_PASSWORD)@db" is the right way to build a URL from a secretRef.
const VARIABLE_REFERENCE = /^(?:\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\})$/;

function credentialShape(value: string): string | undefined {
  for (const [pattern, reason] of CREDENTIAL_SHAPES) if (pattern.test(value)) return reason;
  for (const match of value.matchAll(URL_CREDENTIALS)) {
    if (!VARIABLE_REFERENCE.test(match[1] ?? '')) return 'URL with an embedded password';
  }
  return undefined;
}

// Words that name a secret outright: any literal value under such a name is refused.
const STRONG_WORDS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY']);
const STRONG_PAIRS = new Set(['API KEY', 'PRIVATE KEY', 'ACCESS KEY', 'SIGNING KEY', 'ENCRYPTION KEY', 'MASTER KEY']);
// Words too common to refuse on their own ("KEY_PREFIX"), but suspicious with a random-looking value.
const WEAK_WORDS = new Set(['KEY', 'AUTH', 'PASS', 'PWD', 'SALT', 'HMAC', 'SIGNATURE', 'SESSION', 'COOKIE', 'CERT', 'DSN']);
// A last word that makes the name describe a secret rather than hold it: TOKEN_FILE, SECRET_NAME, PASSWORD_MIN_LENGTH.
const METADATA_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'TTL', 'URL', 'URI', 'ENDPOINT', 'HEADER', 'TYPE', 'LENGTH', 'EXPIRY', 'TIMEOUT', 'SECONDS', 'ENABLED', 'REF']);

function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

function secretName(name: string, strength: 'strong' | 'weak'): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1] ?? '';
  const strong =
    words.some((word, i) => STRONG_WORDS.has(word) || STRONG_PAIRS.has(`${word} ${words[i + 1] ?? ''}`)) ||
    // DB_PASS and SMTP_PWD, but not PWD itself (the shell's working directory).
    (words.length > 1 && (last === 'PASS' || last === 'PWD'));
  if (strength === 'strong') return strong && !METADATA_SUFFIXES.has(last);
  return strong || words.some((word) => WEAK_WORDS.has(word));
}

function randomUnderSecretName(name: string, value: string): string | undefined {
  return secretName(name, 'weak') && looksRandom(value) ? 'random-looking value under a secret-looking name' : undefined;
}

/** Base64 or hex of at least 32 characters with the entropy of generated key material. */
function looksRandom(value: string): boolean {
  if (value.length < 32 || !/^[A-Za-z0-9+/_=-]+$/.test(value) || !/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  // Random hex tops out at 4 bits a character, random base64 near 6.
  return bits >= (/^[0-9a-fA-F]+$/.test(value) ? 3 : 4);
}
