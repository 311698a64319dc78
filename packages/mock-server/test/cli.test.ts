import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleServer } from '../scripts/bundle-server.ts';
import {
  CONFIG_ENV_VAR,
  runCli,
  TUTORIAL,
  tutorialTenant,
  type CliOutcome,
  type MockServer,
} from '../src/index.js';
import { expectTokens, requestToken, verifyToken } from './helpers.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ropkit-mock-server-cli-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Runs the CLI in-process, collecting what it writes. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const output = { stdout: '', stderr: '' };
  const outcome = await runCli({
    argv,
    env,
    stdout: (text) => (output.stdout += text),
    stderr: (text) => (output.stderr += text),
  });
  return { outcome, ...output };
}

function serverOf(outcome: CliOutcome): MockServer {
  if (!('server' in outcome))
    throw new Error(`expected a server, got exit code ${outcome.exitCode}`);
  return outcome.server;
}

describe('runCli (in-process)', () => {
  let server: MockServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads --config, honours --port 0 and --control, and prints where it listens', async () => {
    const file = join(directory, 'tenant.json');
    await writeFile(file, JSON.stringify(tutorialTenant()));
    const result = await run(['--config', file, '--port', '0', '--control']);
    server = serverOf(result.outcome);
    expect(result.stdout).toBe(
      `ropkit-mock-server listening on ${server.url} (issuer ${server.url}/, control API at /__ropkit/)\n`,
    );
    const body = await expectTokens(await requestToken(server));
    await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect((await fetch(`${server.url}/__ropkit/clock`)).status).toBe(200);
  });

  it(`reads the configuration from ${CONFIG_ENV_VAR} and takes --issuer`, async () => {
    const result = await run(['--issuer', 'https://tenant.example.com/'], {
      [CONFIG_ENV_VAR]: JSON.stringify(tutorialTenant()),
    });
    server = serverOf(result.outcome);
    expect(server.issuer).toBe('https://tenant.example.com/');
    expect((await fetch(`${server.url}/__ropkit/clock`)).status).toBe(404);
  });

  it('exits 2 with a clear message, and no secret, for a bad configuration', async () => {
    const config = tutorialTenant({
      clients: [{ clientId: 'c', clientSecret: 'SECRET-VALUE', grantTypes: ['nope'] }],
    });
    const result = await run([], { [CONFIG_ENV_VAR]: JSON.stringify(config) });
    expect(result.outcome).toEqual({ exitCode: 2 });
    expect(result.stderr).toMatch(
      /^ropkit-mock-server: invalid configuration: "clients\[0\]\.grantTypes\[0\]"/,
    );
    expect(result.stderr).not.toContain('SECRET-VALUE');
  });

  it('exits 2 for JSON it cannot parse, without echoing it', async () => {
    const result = await run([], {
      [CONFIG_ENV_VAR]: '{"clients":[{"clientSecret":"SECRET-VALUE"',
    });
    expect(result.outcome).toEqual({ exitCode: 2 });
    expect(result.stderr).toBe('ropkit-mock-server: the configuration is not valid JSON\n');
  });

  it('prints the version with --version (or -v) and exits 0', async () => {
    const { version } = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const result = await run([flag, '--tutorial']);
      expect(result.outcome).toEqual({ exitCode: 0 });
      expect(result.stdout).toBe(`${version}\n`);
      expect(result.stderr).toBe('');
    }
  });

  it('prints the usage, --version included, with --help (or -h) and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run([flag]);
      expect(result.outcome).toEqual({ exitCode: 0 });
      expect(result.stdout).toMatch(/^Usage: ropkit-mock-server /);
      expect(result.stdout).toContain('--version');
    }
  });

  it('exits 2 with one line naming the file when --config names no file', async () => {
    const missing = join(directory, 'no-such-tenant.json');
    const result = await run(['--config', missing]);
    expect(result.outcome).toEqual({ exitCode: 2 });
    expect(result.stderr).toBe(`ropkit-mock-server: config file not found: ${missing}\n`);
    // A relative path is named as given, with where it was looked for.
    const relative = await run(['--config', 'no-such-tenant.json']);
    expect(relative.stderr).toBe(
      `ropkit-mock-server: config file not found: no-such-tenant.json (${resolve('no-such-tenant.json')})\n`,
    );
    expect(relative.stderr).not.toContain('ENOENT');
  });

  it('exits 2 with one line for a config file that is a directory or not JSON, without its text', async () => {
    const directoryResult = await run(['--config', directory]);
    expect(directoryResult.outcome).toEqual({ exitCode: 2 });
    expect(directoryResult.stderr).toBe(
      `ropkit-mock-server: config file is a directory: ${directory}\n`,
    );
    const file = join(directory, 'broken.json');
    await writeFile(file, '{"clients":[{"clientSecret":"SECRET-VALUE"');
    const broken = await run(['--config', file]);
    expect(broken.outcome).toEqual({ exitCode: 2 });
    expect(broken.stderr).toBe(`ropkit-mock-server: config file is not valid JSON: ${file}\n`);
  });

  it('accepts a JSON config file with a "$schema" pointer, as the README suggests', async () => {
    const file = join(directory, 'with-schema.json');
    await writeFile(
      file,
      JSON.stringify({
        $schema: './node_modules/@ropkit/mock-server/schema/tenant.schema.json',
        ...tutorialTenant(),
      }),
    );
    const result = await run(['--config', file, '--port', '0']);
    expect(result.stderr).toBe('');
    server = serverOf(result.outcome);
    await expect(await requestToken(server)).toBeTokenResponse();
  });

  it('prints, with and without --control and a custom domain, exactly the start-up lines the README documents', async () => {
    const readme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
    const documented = readme
      .split('\n')
      .filter((line) => line.startsWith('ropkit-mock-server listening on '));
    expect(documented).toHaveLength(3);
    const printed: string[] = [];
    for (const argv of [
      ['--tutorial', '--port', '0'],
      ['--tutorial', '--port', '0', '--control'],
      ['--tutorial', '--port', '0', '--control', '--custom-domain'],
    ]) {
      const result = await run(argv);
      const started = serverOf(result.outcome);
      const port = new URL(started.url).port;
      const customPort =
        started.customDomainUrl === undefined ? undefined : new URL(started.customDomainUrl).port;
      await started.close();
      // The README shows ports 8080 and 8081; the test listens on free ports.
      let line = result.stdout.trimEnd().replaceAll(`:${port}`, ':8080');
      if (customPort !== undefined) line = line.replaceAll(`:${customPort}`, ':8081');
      printed.push(line);
    }
    expect(printed).toEqual(documented);
  });

  it('listens as the custom domain on --custom-domain-port, and checks that flag', async () => {
    const result = await run(['--tutorial', '--port', '0', '--custom-domain-port', '0']);
    server = serverOf(result.outcome);
    expect(server.customDomainUrl).toEqual(expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/));
    expect(result.stdout).toContain(
      `custom domain ${server.customDomainUrl} with issuer ${server.customDomainIssuer}`,
    );
    const bad = await run(['--tutorial', '--custom-domain-port', 'x']);
    expect(bad.outcome).toEqual({ exitCode: 2 });
    expect(bad.stderr).toBe('ropkit-mock-server: --custom-domain-port must be a number\n');
  });

  it('exits 2 without any configuration, and for unknown flags', async () => {
    const none = await run([]);
    expect(none.outcome).toEqual({ exitCode: 2 });
    expect(none.stderr).toContain('no configuration');
    const unknown = await run(['--tutorial', '--verbose']);
    expect(unknown.outcome).toEqual({ exitCode: 2 });
    expect(unknown.stderr).toContain('Usage: ropkit-mock-server');
  });
});

describe('the bundled ropkit-mock-server binary (a real process)', () => {
  let bundle: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    bundle = await bundleServer({ outFile: join(directory, 'mock-server.mjs') });
  });
  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('prints the version with --version (no package.json needed: it is built in)', async () => {
    const { version } = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
    // The bundle sits in a temporary directory, with no package.json above it, as in the image.
    child = spawn(process.execPath, [bundle, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });

  it('exits non-zero with one line naming a missing config file', async () => {
    child = spawn(process.execPath, [bundle, '--config', 'missing-tenant.json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: directory,
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toBe(
      `ropkit-mock-server: config file not found: missing-tenant.json (${join(directory, 'missing-tenant.json')})\n`,
    );
  });

  it('starts, serves tokens, and exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, [bundle, '--tutorial', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+) \(issuer (\S+)\)/.exec(line.toString());
    expect(match).not.toBeNull();
    const url = match![1]!;
    const response = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        audience: TUTORIAL.audience,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    });
    expect(response.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
