#!/usr/bin/env node
// `npx gatekeeper …` (package.json "bin"): runs the TypeScript CLI (scripts/gatekeeper/main.ts)
// through tsx, as `npm run admin` does, on the project's Node 24 (node_modules/.bin/node, the
// `node` package) when it is installed, else on the Node that started this shim (20 or newer).
/* global process, URL */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const projectNode = `${root}node_modules/.bin/node`;
const node = existsSync(projectNode) ? projectNode : process.execPath;
const child = spawn(node, ['--import', import.meta.resolve('tsx'), `${root}scripts/gatekeeper/main.ts`, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; a TERM from CI is passed on.
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
