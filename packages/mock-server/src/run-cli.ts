import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MockServerConfig } from './config.js';
import { isJsonObject } from './option-reader.js';
import { startMockServer, type MockServer } from './start-mock-server.js';
import { tutorialTenant } from './tutorial-tenant.js';

/** The environment variable that may hold the configuration as JSON. */
export const CONFIG_ENV_VAR = 'ROPKIT_MOCK_SERVER_CONFIG';

/** The start of the line printed once the server listens; the container module waits for it. */
const LISTENING_PREFIX = 'ropkit-mock-server listening on';
export const LISTENING_LINE: RegExp = new RegExp(`^${LISTENING_PREFIX} `, 'm');

const USAGE = `Usage: ropkit-mock-server [--config FILE | --tutorial] [--port N] [--host ADDR] [--issuer URL] [--control]
                          [--custom-domain] [--custom-domain-port N]
       ropkit-mock-server --help | --version

  --config FILE   tenant configuration (JSON); otherwise $${CONFIG_ENV_VAR} holds it as JSON
  --tutorial      the seed tutorial's tenant (user@example.com / pwd, client tutorial-client)
  --port N        port to listen on (default: the config's "port", else 0 = any free port)
  --host ADDR     address to bind (default: the config's "host", else 127.0.0.1)
  --issuer URL    issuer, https://TENANT/ (default: the config's "issuer", else the server's URL)
  --control       serve the control API under /__ropkit/ (default: the config's "controlApi")
  --custom-domain also answer as the tenant's custom domain, on a second port (default: the
                  config's "customDomain")
  --custom-domain-port N
                  the custom domain's port (implies --custom-domain; default: the config's
                  "customDomainPort", else 0 = any free port)
  -h, --help      print this help and exit
  -v, --version   print the version of @ropkit/mock-server and exit
`;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Replaced with the version by the bundler (scripts/bundle-server.ts): the bundled server runs in a
 * container with no package.json beside it. Undefined when running from `dist/` or `src/`.
 */
declare const ROPKIT_MOCK_SERVER_VERSION: string | undefined;

/** The version of this package. */
async function packageVersion(): Promise<string> {
  if (typeof ROPKIT_MOCK_SERVER_VERSION === 'string') return ROPKIT_MOCK_SERVER_VERSION;
  // src/ and dist/ both sit one level below the package's directory.
  const parsed: unknown = JSON.parse(
    await readFile(new URL('../package.json', import.meta.url), 'utf8'),
  );
  if (isJsonObject(parsed) && typeof parsed['version'] === 'string') return parsed['version'];
  throw new Error('package.json has no version');
}

/** A configuration that cannot be loaded; its message is one line, with no configuration text. */
class ConfigLoadError extends Error {}

/** One line saying why `file` could not be read, naming it (and where it was looked for). */
function unreadable(file: string, error: unknown): ConfigLoadError {
  const absolute = resolve(file);
  const where = absolute === file ? file : `${file} (${absolute})`;
  const code = isJsonObject(error) && typeof error['code'] === 'string' ? error['code'] : '';
  const reasons: Record<string, string> = {
    ENOENT: 'config file not found',
    EACCES: 'config file not readable (permission denied)',
    EISDIR: 'config file is a directory',
  };
  const reason = reasons[code] ?? `cannot read config file${code === '' ? '' : ` (${code})`}`;
  return new ConfigLoadError(`${reason}: ${where}`);
}

/** Where the CLI writes, so it can run in-process in tests. */
export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where normal output goes (the listening line, usage). */
  readonly stdout: (text: string) => void;
  /** Where errors go. */
  readonly stderr: (text: string) => void;
}

/** The outcome of {@link runCli}: a running server, or an exit code. */
export type CliOutcome = { server: MockServer } | { exitCode: number };

async function loadConfig(
  values: { config?: string; tutorial?: boolean },
  env: CliIo['env'],
): Promise<unknown> {
  if (values.config !== undefined) {
    let text: string;
    try {
      text = await readFile(values.config, 'utf8');
    } catch (error) {
      throw unreadable(values.config, error);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed;
    } catch {
      // JSON.parse messages quote the text near the error, which may be a secret: say less.
      throw new ConfigLoadError(`config file is not valid JSON: ${values.config}`);
    }
  }
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed: unknown = JSON.parse(fromEnv);
    return parsed;
  }
  if (values.tutorial === true) return tutorialTenant();
  throw new TypeError(
    `no configuration: pass --config FILE, set ${CONFIG_ENV_VAR}, or pass --tutorial`,
  );
}

/**
 * The `ropkit-mock-server` command: reads the configuration, starts the server and prints where it
 * listens (and where the custom domain listens, when it is on). Configuration errors are reported
 * without any option's value.
 */
export async function runCli(io: CliIo): Promise<CliOutcome> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...io.argv],
      options: {
        config: { type: 'string' },
        tutorial: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        issuer: { type: 'string' },
        control: { type: 'boolean' },
        'custom-domain': { type: 'boolean' },
        'custom-domain-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`ropkit-mock-server: ${messageOf(error)}\n${USAGE}`);
    return { exitCode: 2 };
  }
  if (values.help === true) {
    io.stdout(USAGE);
    return { exitCode: 0 };
  }
  if (values.version === true) {
    io.stdout(`${await packageVersion()}\n`);
    return { exitCode: 0 };
  }
  let config: MockServerConfig;
  try {
    const loaded = await loadConfig(values, io.env);
    if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) {
      throw new TypeError('the configuration must be a JSON object');
    }
    config = { ...(loaded as MockServerConfig) };
    if (values.port !== undefined) {
      if (!/^\d+$/.test(values.port)) throw new TypeError('--port must be a number');
      config.port = Number(values.port);
    }
    if (values.host !== undefined) config.host = values.host;
    if (values.issuer !== undefined) config.issuer = values.issuer;
    if (values.control === true) config.controlApi = true;
    if (values['custom-domain'] === true) config.customDomain = true;
    const customDomainPort = values['custom-domain-port'];
    if (customDomainPort !== undefined) {
      if (!/^\d+$/.test(customDomainPort)) {
        throw new TypeError('--custom-domain-port must be a number');
      }
      config.customDomain = true;
      config.customDomainPort = Number(customDomainPort);
    }
  } catch (error) {
    // JSON.parse messages quote the text near the error, which may be a secret: say less.
    const reason =
      error instanceof SyntaxError ? 'the configuration is not valid JSON' : messageOf(error);
    io.stderr(`ropkit-mock-server: ${reason}\n`);
    return { exitCode: 2 };
  }
  try {
    const server = await startMockServer(config);
    const customDomain =
      server.customDomainUrl === undefined
        ? ''
        : `, custom domain ${server.customDomainUrl} with issuer ${server.customDomainIssuer ?? ''}`;
    const control = config.controlApi === true ? ', control API at /__ropkit/' : '';
    io.stdout(
      `${LISTENING_PREFIX} ${server.url} (issuer ${server.issuer}${customDomain}${control})\n`,
    );
    return { server };
  } catch (error) {
    const prefix = error instanceof TypeError ? 'invalid configuration: ' : '';
    io.stderr(`ropkit-mock-server: ${prefix}${messageOf(error)}\n`);
    return { exitCode: error instanceof TypeError ? 2 : 1 };
  }
}
