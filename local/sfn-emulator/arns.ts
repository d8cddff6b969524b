import { SfnServiceError } from './errors';

export interface ArnScope {
  region: string;
  accountId: string;
}

export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: ArnScope, stateMachineName: string, executionName: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${executionName}`;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):[^:\s]+(:[^:\s]+)?$/;

/** Rejects strings that are not Step Functions ARNs of the expected kind, as the service does (InvalidArn). */
export function assertArn(value: string, kind: 'stateMachine' | 'execution'): void {
  const match = ARN_PATTERN.exec(value);
  const ok = match !== null && match[1] === kind && (kind === 'execution') === (match[2] !== undefined);
  if (!ok) throw new SfnServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${value}'`);
}

/**
 * Execution names: 1–80 characters, no whitespace, brackets, wildcards, the characters
 * " # % \ ^ | ~ ` $ & , ; : / or control characters (the service's InvalidName rules).
 */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function hasControlCharacter(name: string): boolean {
  return [...name].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}

export function assertExecutionName(name: string): void {
  const valid = name.length >= 1 && name.length <= 80 && !FORBIDDEN_NAME_CHARACTERS.test(name) && !hasControlCharacter(name);
  if (!valid) throw new SfnServiceError('InvalidName', `Invalid Name: '${name}'`);
}
