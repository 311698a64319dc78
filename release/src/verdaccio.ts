import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseJsonObject, stringField } from './json.ts';
import { childEnv, run } from './steps.ts';

/**
 * verdaccio cannot be a workspace dependency (pnpm fails to resolve its `node-fetch@cjs`
 * dist-tag), so it is installed with npm into a cache directory outside the workspace.
 */
export const VERDACCIO_HOME = join(homedir(), '.cache', 'ropkit-verdaccio');
const VERDACCIO_MAJOR = 6;
const VERDACCIO_MANIFEST = join(VERDACCIO_HOME, 'node_modules', 'verdaccio', 'package.json');
const START_TIMEOUT_MS = 60_000;

/** A running verdaccio: its URL, a publish token for it, and how to stop it. */
export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/`, with the trailing slash npm expects. */
  readonly url: string;
  /** The token of the user created for this run; never printed. */
  readonly token: string;
  /** The log file verdaccio writes to (printed on failure). */
  readonly logFile: string;
  stop(): Promise<void>;
}

/**
 * The manifest npm installs verdaccio from. The override: verdaccio-audit (a verdaccio
 * dependency) asks for `node-fetch@cjs`, a dist-tag the registry no longer has, which fails
 * npm as it fails pnpm; `cjs` was node-fetch 2, the CommonJS line.
 */
const VERDACCIO_INSTALL_MANIFEST = {
  name: 'ropkit-verdaccio',
  private: true,
  dependencies: { verdaccio: `^${VERDACCIO_MAJOR}.0.0` },
  overrides: { 'verdaccio-audit': { 'node-fetch': '^2.7.0' } },
};

/** Installs verdaccio 6 into {@link VERDACCIO_HOME} unless it is already there. */
export async function ensureVerdaccio(): Promise<string> {
  const installed = installedVersion();
  if (installed?.startsWith(`${VERDACCIO_MAJOR}.`) === true) {
    process.stdout.write(`verdaccio ${installed} already installed in ${VERDACCIO_HOME}\n`);
  } else {
    await mkdir(VERDACCIO_HOME, { recursive: true });
    await writeFile(
      join(VERDACCIO_HOME, 'package.json'),
      `${JSON.stringify(VERDACCIO_INSTALL_MANIFEST, null, 2)}\n`,
    );
    await run(
      'npm',
      ['install', '--prefix', VERDACCIO_HOME, '--no-audit', '--no-fund', '--omit=dev'],
      {
        cwd: VERDACCIO_HOME,
        env: childEnv({}),
      },
    );
  }
  const version = installedVersion();
  if (version === undefined) throw new Error(`verdaccio is missing after npm install`);
  return version;
}

function installedVersion(): string | undefined {
  if (!existsSync(VERDACCIO_MANIFEST)) return undefined;
  const manifest = parseJsonObject(readFileSync(VERDACCIO_MANIFEST, 'utf8'), VERDACCIO_MANIFEST);
  return stringField(manifest, 'version', VERDACCIO_MANIFEST);
}

/**
 * Starts verdaccio on 127.0.0.1 with its storage in `dir`: `@ropkit/*` is served only from
 * what this run publishes (no uplink, so a same-named public package can never answer), and
 * every other package comes through an uplink to `upstreamRegistry`, so the consumer project
 * can install express, jose and typescript. Then registers one user (htpasswd, `max_users: 1`)
 * for its token.
 */
export async function startVerdaccio(
  dir: string,
  upstreamRegistry: string,
): Promise<LocalRegistry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const configFile = join(dir, 'config.yaml');
  await writeFile(configFile, verdaccioConfig(dir, port, upstreamRegistry));

  const logFile = join(dir, 'verdaccio.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [join(VERDACCIO_HOME, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '--config', configFile],
    { cwd: dir, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = (): Promise<void> => stopChild(child);

  try {
    await waitUntilUp(url, child, logFile);
    const token = await addUser(url);
    return { url, token, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A YAML scalar: JSON is YAML, so JSON.stringify quotes every path and URL safely. */
function q(value: string): string {
  return JSON.stringify(value);
}

function verdaccioConfig(dir: string, port: number, upstreamRegistry: string): string {
  return [
    `storage: ${q(join(dir, 'storage'))}`,
    `listen: ${q(`127.0.0.1:${port}`)}`,
    'web:',
    '  enable: false',
    'auth:',
    '  htpasswd:',
    `    file: ${q(join(dir, 'htpasswd'))}`,
    '    max_users: 1',
    'uplinks:',
    '  upstream:',
    `    url: ${q(upstreamRegistry)}`,
    '    timeout: 60s',
    'packages:',
    "  '@ropkit/*':",
    '    access: $all',
    '    publish: $all',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    // Tokens as JWTs: the default legacy token makes verdaccio check the bcrypt password again
    // on every request (a quarter second each).
    'security:',
    '  api:',
    '    jwt:',
    '      sign:',
    '        expiresIn: 1h',
    'max_body_size: 50mb',
    'log:',
    '  type: stdout',
    '  format: pretty',
    '  level: warn',
    '',
  ].join('\n');
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port was bound');
  return address.port;
}

async function waitUntilUp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`verdaccio exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
    }
    try {
      const answer = await fetch(new URL('-/ping', url));
      if (answer.ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(200);
  }
  throw new Error(`verdaccio did not answer on ${url} within ${START_TIMEOUT_MS} ms`);
}

/** Registers a user the way `npm adduser` does and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'ropkit-rehearsal';
  const answer = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      _id: `org.couchdb.user:${name}`,
      name,
      password: randomBytes(24).toString('base64url'),
      type: 'user',
      roles: [],
      date: new Date().toISOString(),
    }),
  });
  const text = await answer.text();
  if (answer.status !== 201)
    throw new Error(`verdaccio refused the user: HTTP ${answer.status} ${text}`);
  return stringField(parseJsonObject(text, 'the user answer'), 'token', 'the user answer');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
