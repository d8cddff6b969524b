import { existsSync } from 'node:fs';

/**
 * Whether a suite that needs a system binary runs: yes when it is there;
 * elsewhere a skip with one console line naming the Debian package, except on
 * CI (CI=true), where the suite runs and its beforeAll must fail on the
 * missing binary (see `requireBinary`). The pattern of
 * test/local/k8s-simulator-kubectl.test.ts; used for prometheus and chromium
 * (.ci/run installs both).
 */
export function binaryAvailable(path: string, debianPackage: string, suite: string): boolean {
  if (existsSync(path) || process.env.CI === 'true') return true;
  console.warn(`${suite} skipped: ${path} not found (install the Debian package ${debianPackage})`);
  return false;
}

/** Throws in a suite's beforeAll when the binary is missing (only reached with CI=true). */
export function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} not found: with CI=true this suite needs the Debian package ${debianPackage}`);
}
