import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * An ephemeral self-signed certificate for the simulator's HTTPS mode, built
 * with node:crypto and a minimal DER encoder (Node can parse but not create
 * X.509). ECDSA P-256, valid for one year, subjectAltName 127.0.0.1, ::1,
 * localhost (plus the listen host), CA:TRUE so clients can trust it as its own
 * certificate authority.
 */
export interface SelfSignedCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate; also the CA clients should trust. */
  cert: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
const boolTrue = () => tlv(0x01, Buffer.from([0xff]));
const octetString = (body: Buffer) => tlv(0x04, body);
const bitString = (body: Buffer) => tlv(0x03, Buffer.from([0]), body);
const explicit = (n: number, body: Buffer) => tlv(0xa0 + n, body);

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'; // YYMMDDHHMMSSZ
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(ip.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

export function createSelfSignedCertificate(host = '127.0.0.1', commonName = 'gatekeeper-simulator'): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const ips = new Set(['127.0.0.1', '::1']);
  const dns = new Set(['localhost']);
  if (isIPv4(host) || isIPv6(host)) ips.add(host);
  else if (host) dns.add(host);
  const altNames = [
    ...[...ips].filter((ip) => ip !== '0.0.0.0' && ip !== '::').map((ip) => tlv(0x87, ipBytes(ip))),
    ...[...dns].map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
  ];
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const now = Date.now();
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    sequence(oid(ECDSA_WITH_SHA256)),
    name,
    sequence(utcTime(new Date(now - 60 * 60 * 1000)), utcTime(new Date(now + 365 * 24 * 60 * 60 * 1000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        sequence(oid('2.5.29.19'), boolTrue(), octetString(sequence(boolTrue()))),
        sequence(oid('2.5.29.17'), octetString(sequence(...altNames))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, sequence(oid(ECDSA_WITH_SHA256)), bitString(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
  };
}
