/** `${Name}` placeholders as CloudFormation DefinitionSubstitutions (and CDK's definitionSubstitutions) use them. */
const PLACEHOLDER = /\$\{([^{}]+)\}/g;

/**
 * Replaces every `${Name}` placeholder of an ASL text with `substitutions[Name]`, as plain text the way
 * CloudFormation does (values are not JSON-escaped). Throws listing every placeholder without a value.
 */
export function applyDefinitionSubstitutions(aslText: string, substitutions: Record<string, string>): string {
  const missing = new Set<string>();
  const result = aslText.replace(PLACEHOLDER, (placeholder: string, name: string) => {
    if (!Object.hasOwn(substitutions, name)) {
      missing.add(name);
      return placeholder;
    }
    return String(substitutions[name]);
  });
  if (missing.size > 0) {
    const names = [...missing].map((name) => `\${${name}}`).join(', ');
    throw new Error(`DefinitionSubstitutions: no value for placeholder(s) ${names}`);
  }
  return result;
}
