import { Duration } from 'aws-cdk-lib';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MIN_ROTATION_INTERVAL_DAYS } from '../../functions/domain/link-keys';
import { acknowledgeWildcardResource } from '../nag';
import { GatekeeperFunction } from './gatekeeper-function';

export interface SigningKeyRotationProps {
  secret: Secret;
  /** Days between scheduled rotations; at least MIN_ROTATION_INTERVAL_DAYS (settings.ts checks the context). */
  rotationDays: number;
}

/**
 * Rotates the link-signing key on a schedule with Gatekeeper's own rotation
 * function (functions/adapters/signing-key-rotation.ts): the secret becomes a
 * key set whose retired keys keep verifying the links they signed until those
 * expire, so a rotation never invalidates an outstanding link.
 */
export class SigningKeyRotation extends Construct {
  readonly rotator: GatekeeperFunction;

  constructor(scope: Construct, id: string, props: SigningKeyRotationProps) {
    super(scope, id);
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < MIN_ROTATION_INTERVAL_DAYS) {
      throw new Error(`the link-signing key rotation interval must be a whole number of days ≥ ${MIN_ROTATION_INTERVAL_DAYS}, got ${props.rotationDays}`);
    }
    this.rotator = new GatekeeperFunction(this, 'Rotator', {
      bundle: 'rotateSigningKey',
      description: 'Gatekeeper: rotates the link-signing key set (Secrets Manager rotation function)',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {},
    });
    // Grants the function DescribeSecret/GetSecretValue/PutSecretValue/UpdateSecretVersionStage on this
    // secret only, and lets Secrets Manager invoke it.
    props.secret.addRotationSchedule('Rotation', {
      rotationLambda: this.rotator.function,
      automaticallyAfter: Duration.days(props.rotationDays),
    });
    acknowledgeWildcardResource(
      this.rotator.role,
      'X-Ray (xray:PutTraceSegments, PutTelemetryRecords) and secretsmanager:GetRandomPassword have no resource-level permissions. ' +
        'CDK grants GetRandomPassword to every rotation function; this one makes its keys with node:crypto and never calls it.',
    );
  }
}
