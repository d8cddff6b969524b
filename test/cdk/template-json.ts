/** Just enough of a synthesized CloudFormation template for the assertions. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
  Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
}

export interface LocatedStatement {
  /** Logical id of the AWS::IAM::Policy / Role / ManagedPolicy that holds it. */
  holder: string;
  statement: PolicyStatement;
}

export const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

interface PolicyDocument {
  Statement: PolicyStatement[];
}

/** Every identity-policy statement in the template (trust policies excluded). */
export function identityStatements(template: CfnTemplate): LocatedStatement[] {
  const located: LocatedStatement[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const documents: PolicyDocument[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(props.PolicyDocument as PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asArray(props.Policies as { PolicyDocument: PolicyDocument }[] | undefined)) {
        documents.push(policy.PolicyDocument);
      }
    }
    for (const document of documents) {
      for (const statement of document.Statement) located.push({ holder: id, statement });
    }
  }
  return located;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt: [id, attr] }` points at, if it is one. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}
