import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A FAKE of Secrets Manager, not an emulator: there is none for this stack (no
 * npm package emulates Secrets Manager; LocalStack and moto need Docker or
 * Python, which this project's machines do not have). It speaks the real wire
 * protocol (JSON 1.1 over HTTP, `X-Amz-Target: secretsmanager.<Operation>`), so
 * the real AWS SDK client and our adapters run unchanged against it, and it
 * models only what rotation uses: versions, staging labels (AWSCURRENT,
 * AWSPENDING, AWSPREVIOUS) and the four operations below, with the errors
 * the rotation function must handle (ResourceNotFoundException for a version
 * that has no value yet). `rotate` drives a rotation the way Secrets Manager
 * does: a new pending version id, then the four steps in order.
 */

interface Version {
  value: string | undefined;
  stages: Set<string>;
}

interface FakeSecret {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  versions: Map<string, Version>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RotationStepEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: string;
}

export interface SecretsManagerFake {
  endpoint: string;
  /** Creates a secret whose AWSCURRENT version holds `value`; returns its ARN. */
  create(name: string, value: string): string;
  /** The AWSCURRENT value. */
  current(arn: string): string | undefined;
  /** Calls made, by operation name, in order. */
  calls: string[];
  /** What Secrets Manager does on a (scheduled or manual) rotation, with `handler` as the rotation function. */
  rotate(arn: string, handler: (event: RotationStepEvent) => Promise<void>): Promise<string>;
  close(): Promise<void>;
}

export async function startSecretsManagerFake(): Promise<SecretsManagerFake> {
  const secrets = new Map<string, FakeSecret>();
  const calls: string[] = [];

  const find = (id: unknown): FakeSecret => {
    const secret = [...secrets.values()].find((s) => s.arn === id || s.name === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const versionWith = (secret: FakeSecret, stage: string) => [...secret.versions].find(([, v]) => v.stages.has(stage));
  /** Staging labels are unique per secret: attaching one moves it; moving AWSCURRENT leaves AWSPREVIOUS behind. */
  const attach = (secret: FakeSecret, versionId: string, stage: string) => {
    const from = versionWith(secret, stage);
    if (from?.[0] === versionId) return;
    from?.[1].stages.delete(stage);
    if (stage === 'AWSCURRENT' && from) {
      versionWith(secret, 'AWSPREVIOUS')?.[1].stages.delete('AWSPREVIOUS');
      from[1].stages.add('AWSPREVIOUS');
    }
    secret.versions.get(versionId)?.stages.add(stage);
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeSecret(input) {
      const secret = find(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        RotationEnabled: secret.rotationEnabled,
        VersionIdsToStages: Object.fromEntries([...secret.versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]])),
      };
    },
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      const stage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined;
      const byId = typeof input.VersionId === 'string' ? input.VersionId : undefined;
      const [versionId, version] = byId ? [byId, secret.versions.get(byId)] : (versionWith(secret, stage ?? 'AWSCURRENT') ?? []);
      if (!versionId || !version || (stage && !version.stages.has(stage)) || version.value === undefined) {
        throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label or version.");
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId, SecretString: version.value, VersionStages: [...version.stages], CreatedDate: Date.now() / 1000 };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      const token = String(input.ClientRequestToken);
      const value = String(input.SecretString);
      const existing = secret.versions.get(token);
      if (existing?.value !== undefined && existing.value !== value) {
        throw new AwsError('ResourceExistsException', 'A version with this ClientRequestToken already exists with a different value.');
      }
      if (!existing) secret.versions.set(token, { value, stages: new Set() });
      else existing.value = value;
      const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : ['AWSCURRENT'];
      for (const stage of stages) attach(secret, token, stage);
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: stages };
    },
    UpdateSecretVersionStage(input) {
      const secret = find(input.SecretId);
      const stage = String(input.VersionStage);
      const holder = versionWith(secret, stage)?.[0];
      if (holder !== undefined && holder !== input.RemoveFromVersionId) {
        throw new AwsError('InvalidParameterException', `The staging label ${stage} is attached to ${holder}, not to the version named in RemoveFromVersionId.`);
      }
      const target = String(input.MoveToVersionId);
      if (!secret.versions.has(target)) throw new AwsError('ResourceNotFoundException', 'No such version.');
      attach(secret, target, stage);
      return { ARN: secret.arn, Name: secret.name };
    },
  };

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      calls.push(operation);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      try {
        const handler = operations[operation];
        if (!handler) throw new AwsError('InvalidRequestException', `the fake does not model ${operation}`);
        reply(200, handler(JSON.parse(body || '{}') as Record<string, unknown>));
      } catch (error) {
        if (error instanceof AwsError) reply(400, { __type: error.type, message: error.message });
        else reply(500, { __type: 'InternalServiceError', message: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    create(name, value) {
      const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-AbCdEf`;
      secrets.set(arn, { arn, name, rotationEnabled: false, versions: new Map([[randomUUID(), { value, stages: new Set(['AWSCURRENT']) }]]) });
      return arn;
    },
    current(arn) {
      const secret = find(arn);
      return versionWith(secret, 'AWSCURRENT')?.[1].value;
    },
    async rotate(arn, handler) {
      const secret = find(arn);
      secret.rotationEnabled = true;
      const token = randomUUID();
      // Secrets Manager labels the new version AWSPENDING (no value yet) before it calls createSecret.
      secret.versions.set(token, { value: undefined, stages: new Set() });
      attach(secret, token, 'AWSPENDING');
      for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await handler({ SecretId: arn, ClientRequestToken: token, Step: step });
      }
      secret.versions.get(token)?.stages.delete('AWSPENDING');
      return token;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
