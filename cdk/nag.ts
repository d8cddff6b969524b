import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag's AWS Solutions rules on every stack of `scope` (an App or Stage).
 * cdk-nag 3 is a policy-validation plugin: `synth()` throws `ValidationFailed`
 * while any finding is neither fixed nor acknowledged with a reason.
 */
export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope));
}

/** The pack's namespace in acknowledgement ids; a bare id would be read as an annotation id. */
const PACK = 'AwsSolutions';

/**
 * Acknowledges one AWS Solutions finding on `scope` and everything under it,
 * with the reason on record. `finding` narrows rules that report several
 * findings per resource (IAM5: `Resource::*`, `Action::s3:*`).
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string, finding?: string): void {
  Validations.of(scope).acknowledge({ id: `${PACK}::${PACK}-${rule}${finding === undefined ? '' : `[${finding}]`}`, reason });
}

/** IAM5 on a `*` resource: actions that have no resource-level permissions. */
export function acknowledgeWildcardResource(scope: IConstruct, reason: string): void {
  acknowledgeNag(scope, 'IAM5', reason, 'Resource::*');
}

/**
 * IAM5 on an ARN that ends in a wildcard (e.g. every execution of one state
 * machine). The finding names the ARN as the template has it, intrinsics
 * spelled `<Ref>` and `<Resource.Attribute>`, so it is derived from the same
 * token the policy uses and stays right whatever the stack's environment.
 */
export function acknowledgeWildcardArn(holder: IConstruct | IGrantable, arn: string, reason: string): void {
  const scope = constructOf(holder);
  acknowledgeNag(scope, 'IAM5', reason, `Resource::${flatten(Stack.of(scope).resolve(arn))}`);
}

/** Where a grant's policy lives: the grantee itself, or its principal (a Role). */
function constructOf(holder: IConstruct | IGrantable): IConstruct {
  if (Construct.isConstruct(holder)) return holder;
  if (Construct.isConstruct(holder.grantPrincipal)) return holder.grantPrincipal;
  throw new Error('cdk-nag acknowledgements need a construct that holds the policy');
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return (join[1] as unknown[]).map(flatten).join(join[0]);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(flatten).join('.')}>`;
    if (node.Ref !== undefined) return `<${flatten(node.Ref)}>`;
  }
  throw new Error(`cannot name the cdk-nag finding for ${JSON.stringify(value)}`);
}
