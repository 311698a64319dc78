/**
 * Reads a README the way a user does: its `ts` code blocks are the examples to paste, and its
 * `npm install` lines say what to install first. An HTML comment on the line before a block's
 * opening fence (blank lines between are allowed) tells the checker how to run it (see
 * {@link ExampleSettings}).
 */

/** One HTTP request a `server` example must answer, in order, with one cookie jar. */
export interface ExampleRequest {
  method: string;
  path: string;
  /** A form body (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** Send a fresh access token from the mock server, with this scope (may be empty). */
  bearer?: string;
  /** The status the example must answer. */
  status: number;
  /** A string the answer's body must contain. */
  bodyIncludes?: string;
}

/** What a `<!-- readme-check: {...} -->` comment may say. */
export interface ExampleSettings {
  /**
   * - `run` (default): `node example.ts` must exit 0.
   * - `server`: it must listen on `port` and answer `requests` as stated, without crashing.
   * - `vitest`: written as a test file and run with `vitest run`.
   * - `typecheck`: only type-checked, for a fragment that cannot run alone; needs a `reason`.
   */
  mode: 'run' | 'server' | 'vitest' | 'typecheck';
  port: number;
  requests: ExampleRequest[];
  /** Services the example needs; without them it is skipped with the reason (or fails in CI). */
  requires: Array<'docker' | 'redis'>;
  reason?: string;
  /** Seconds the example may take; default 60. */
  timeoutSeconds: number;
  /** Environment variables the example reads (as its prose tells the user to set them). */
  env: Record<string, string>;
}

/** A `ts` code block of a README. */
export interface CodeExample {
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  settings: ExampleSettings;
}

const ANNOTATION = /^<!--\s*readme-check:\s*(\{.*\})\s*-->$/;
const FENCE = /^(`{3,}|~{3,})\s*([\w-]*)/;
const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts']);
const MODES: ReadonlyArray<ExampleSettings['mode']> = ['run', 'server', 'vitest', 'typecheck'];
const SERVICES: ReadonlyArray<ExampleSettings['requires'][number]> = ['docker', 'redis'];

/** The `ts` blocks of a README, with their settings; a malformed annotation throws. */
export function codeExamples(readme: string, text: string): CodeExample[] {
  const lines = text.split('\n');
  const examples: CodeExample[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = FENCE.exec(lines[index] ?? '');
    if (fence === null) continue;
    const [, marker = '```', language = ''] = fence;
    const end = lines.findIndex((line, at) => at > index && line.trimEnd() === marker);
    if (end === -1) throw new Error(`${readme}:${index + 1}: a code block is never closed`);
    if (TS_LANGUAGES.has(language)) {
      const where = `${readme}:${index + 1}`;
      // The comment may be separated from the fence by blank lines (prettier adds one).
      let above = index - 1;
      while (above >= 0 && (lines[above] ?? '').trim() === '') above--;
      const annotation = ANNOTATION.exec((lines[above] ?? '').trim());
      examples.push({
        readme,
        line: index + 1,
        code: `${lines.slice(index + 1, end).join('\n')}\n`,
        settings: parseSettings(annotation?.[1], where),
      });
    }
    index = end;
  }
  return examples;
}

/**
 * The packages a README's shell blocks install (`npm install`, `npm i`, `pnpm add`, with or
 * without `--save-dev`/`-D`), in order, without duplicates.
 */
export function installedPackages(text: string): string[] {
  const packages: string[] = [];
  const lines = text.split('\n');
  let inShell = false;
  for (const line of lines) {
    const fence = FENCE.exec(line);
    if (fence !== null) {
      inShell = !inShell && ['sh', 'bash', 'shell', 'console'].includes(fence[2] ?? '');
      continue;
    }
    if (!inShell) continue;
    const command =
      /^\s*(?:\$\s*)?(?:npm\s+(?:install|i|add)|pnpm\s+(?:add|install|i))\s+(.*)$/.exec(line);
    if (command === null) continue;
    for (const word of (command[1] ?? '').split(/\s+/)) {
      if (word === '' || word.startsWith('-')) continue;
      if (word === '&&' || word === ';' || word.startsWith('#')) break;
      if (!packages.includes(word)) packages.push(word);
    }
  }
  return packages;
}

function parseSettings(json: string | undefined, where: string): ExampleSettings {
  const settings: ExampleSettings = {
    mode: 'run',
    port: 3000,
    requests: [],
    requires: [],
    timeoutSeconds: 60,
    env: {},
  };
  if (json === undefined) return settings;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${where}: the readme-check comment is not JSON`, { cause: error });
  }
  if (!isObject(value)) throw new Error(`${where}: the readme-check comment must be a JSON object`);
  for (const [key, field] of Object.entries(value)) {
    switch (key) {
      case 'mode':
        settings.mode = oneOf(field, MODES, `${where}: "mode"`);
        break;
      case 'port':
      case 'timeoutSeconds':
        if (typeof field !== 'number' || !Number.isInteger(field) || field <= 0) {
          throw new Error(`${where}: "${key}" must be a positive integer`);
        }
        settings[key] = field;
        break;
      case 'reason':
        if (typeof field !== 'string' || field === '') {
          throw new Error(`${where}: "reason" must be a non-empty string`);
        }
        settings.reason = field;
        break;
      case 'requires':
        if (!Array.isArray(field)) throw new Error(`${where}: "requires" must be an array`);
        settings.requires = field.map((name: unknown) =>
          oneOf(name, SERVICES, `${where}: "requires"`),
        );
        break;
      case 'env':
        if (!isObject(field) || !Object.values(field).every((entry) => typeof entry === 'string')) {
          throw new Error(`${where}: "env" must map names to strings`);
        }
        settings.env = Object.fromEntries(
          Object.entries(field).map(([name, entry]) => [name, String(entry)]),
        );
        break;
      case 'requests':
        if (!Array.isArray(field)) throw new Error(`${where}: "requests" must be an array`);
        settings.requests = field.map((request: unknown, at) =>
          parseRequest(request, `${where} request ${at + 1}`),
        );
        break;
      default:
        throw new Error(`${where}: unknown readme-check setting "${key}"`);
    }
  }
  if (settings.mode === 'typecheck' && settings.reason === undefined) {
    throw new Error(`${where}: a typecheck-only example must say why it cannot run ("reason")`);
  }
  if (settings.mode === 'server' && settings.requests.length === 0) {
    throw new Error(`${where}: a server example needs "requests" to check`);
  }
  return settings;
}

function parseRequest(value: unknown, where: string): ExampleRequest {
  if (!isObject(value)) throw new Error(`${where}: not an object`);
  const { method, path, status, form, json, bearer, bodyIncludes, ...rest } = value;
  const unknownField = Object.keys(rest)[0];
  if (unknownField !== undefined) throw new Error(`${where}: unknown field "${unknownField}"`);
  if (typeof method !== 'string' || typeof path !== 'string') {
    throw new Error(`${where}: "method" and "path" are required strings`);
  }
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    throw new Error(`${where}: "status" is required`);
  }
  const request: ExampleRequest = { method, path, status };
  if (form !== undefined) {
    if (!isObject(form) || !Object.values(form).every((entry) => typeof entry === 'string')) {
      throw new Error(`${where}: "form" must map names to strings`);
    }
    request.form = Object.fromEntries(
      Object.entries(form).map(([name, entry]) => [name, String(entry)]),
    );
  }
  if (json !== undefined) request.json = json;
  if (bearer !== undefined) {
    if (typeof bearer !== 'string') throw new Error(`${where}: "bearer" must be a scope string`);
    request.bearer = bearer;
  }
  if (bodyIncludes !== undefined) {
    if (typeof bodyIncludes !== 'string')
      throw new Error(`${where}: "bodyIncludes" must be a string`);
    request.bodyIncludes = bodyIncludes;
  }
  return request;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  const found = allowed.find((entry) => entry === value);
  if (found === undefined) throw new Error(`${what} must be one of ${allowed.join(', ')}`);
  return found;
}
