import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { CliIo } from './cli';
import { createLiveView } from './live-view';

/** The real process's side of the CLI (bin/gatekeeper.mjs and `npm run admin`); tests pass their own. */
export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // A terminal with no size (some CI pseudo-terminals) cannot be redrawn in place: plain lines there.
    ...(process.stdout.isTTY && process.stdout.columns > 0 && process.stdout.rows > 0 ? { liveView: () => createLiveView(process.stdout) } : {}),
    commitTime: (commit) => {
      try {
        return execFileSync('git', ['show', '-s', '--format=%cI', `${commit}^{commit}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
      } catch {
        // Not a git checkout, no git, or a commit this checkout does not have.
        return undefined;
      }
    },
    osUser: () => userInfo().username,
  };
}
