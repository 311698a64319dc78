/**
 * Every `ts` code block of every README, pasted into a fresh project as a user would: the
 * packages its README's install lines name (each `@ropkit/*` one from its packed tarball), a
 * strict type check without the DOM library, then a run against the mock authorization server
 * (see `markdown-examples.ts` for how a block says how it runs). Exit code 1 if any block fails.
 *
 * Usage: `node src/readme-examples/check-readme-examples.ts [--only <path part>] [--keep]`
 * after `pnpm build` (the root's `pnpm check:readme` does both).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseJsonObject } from '../json.ts';
import { capture, childEnv } from '../steps.ts';
import { publishablePackages } from '../workspace-packages.ts';
import { createExampleProject, typeCheck } from './example-project.ts';
import { checkRequests, portInUse, runToEnd, startServer } from './example-run.ts';
import { placeholders, startExampleServices, type ExampleServices } from './example-services.ts';
import { codeExamples, installedPackages, type CodeExample } from './markdown-examples.ts';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
/**
 * The Node a user runs the examples with: ROPKIT_CONSUMER_NODE (CI sets the packages' floor,
 * 22.19) or ours. Its directory comes first on PATH, so `#!/usr/bin/env node` tools use it too.
 */
const userNode = process.env['ROPKIT_CONSUMER_NODE'] ?? process.execPath;
const userPath = `${dirname(userNode)}${delimiter}${process.env['PATH'] ?? ''}`;
const { values: flags } = parseArgs({
  options: { only: { type: 'string' }, keep: { type: 'boolean', default: false } },
});

type Verdict = { kind: 'passed' | 'type-checked' } | { kind: 'skipped' | 'failed'; why: string };

const work = await mkdtemp(join(tmpdir(), 'ropkit-readme-examples-'));
let services: ExampleServices | undefined;
const verdicts: Array<[string, Verdict]> = [];
try {
  const readmes = await readmeFiles();
  const tarballs = await packTarballs(join(work, 'tarballs'));
  services = await startExampleServices();
  const version = await runToEnd(userNode, ['--version'], {
    cwd: workspaceRoot,
    env: childEnv({}),
    timeoutMs: 10_000,
  });
  process.stdout.write(`examples run on Node ${version.output.trim()} (${userNode})\n`);
  const replacements = placeholders(services);
  const docker = await dockerAvailable();
  for (const readme of readmes) {
    const text = await readFile(join(workspaceRoot, readme), 'utf8');
    const examples = codeExamples(readme, text);
    if (examples.length === 0) continue;
    const packages = installedPackages(text);
    process.stdout.write(
      `\n::: ${readme}: ${examples.length} example(s); installs ${packages.join(' ') || '(nothing)'}\n`,
    );
    if (packages.length === 0) {
      for (const example of examples) {
        record(example, {
          kind: 'failed',
          why: 'the README has no install line (npm install ...)',
        });
      }
      continue;
    }
    const slug = readme.replace(/[^\w]+/g, '-');
    let project;
    try {
      project = await createExampleProject(
        join(work, slug),
        packages,
        examples,
        tarballs,
        replacements,
      );
    } catch (error) {
      const why = `installing ${packages.join(' ')} failed: ${firstLines(String(error), 6)}`;
      for (const example of examples) record(example, { kind: 'failed', why });
      continue;
    }
    const typeErrors = await typeCheck(project);
    for (const example of examples) {
      const file = project.files.get(example) ?? '';
      const errors = [...(typeErrors.get(file) ?? []), ...(typeErrors.get('(project)') ?? [])];
      if (errors.length > 0) {
        record(example, { kind: 'failed', why: `type errors:\n    ${errors.join('\n    ')}` });
        continue;
      }
      record(example, await runExample(example, project.dir, file, services, docker));
    }
  }
} finally {
  await services?.close();
  if (!flags.keep) await rm(work, { recursive: true, force: true });
  else process.stdout.write(`\nprojects kept in ${work}\n`);
}

const tally = (kind: Verdict['kind']) =>
  verdicts.filter(([, verdict]) => verdict.kind === kind).length;
process.stdout.write(
  `\nREADME examples: ${tally('passed')} ran, ${tally('type-checked')} type-checked only, ` +
    `${tally('skipped')} skipped, ${tally('failed')} failed (of ${verdicts.length})\n`,
);
if (tally('failed') > 0) process.exitCode = 1;

function record(example: CodeExample, verdict: Verdict): void {
  const where = `${example.readme}:${example.line}`;
  verdicts.push([where, verdict]);
  const detail = 'why' in verdict ? `: ${verdict.why}` : '';
  process.stdout.write(
    `  ${verdict.kind.toUpperCase().padEnd(12)} ${where} (${example.settings.mode})${detail}\n`,
  );
}

async function runExample(
  example: CodeExample,
  dir: string,
  file: string,
  running: ExampleServices,
  docker: string | undefined,
): Promise<Verdict> {
  const { settings } = example;
  for (const service of settings.requires) {
    const missing =
      service === 'docker'
        ? docker
        : 'missing' in running.redis
          ? running.redis.missing
          : undefined;
    if (missing === undefined) continue;
    const required = process.env[`ROPKIT_REQUIRE_${service.toUpperCase()}`] === '1';
    const why = `needs ${service}: ${missing}`;
    return required
      ? { kind: 'failed', why: `${why} (ROPKIT_REQUIRE_${service.toUpperCase()}=1)` }
      : { kind: 'skipped', why };
  }
  if (settings.mode === 'typecheck') return { kind: 'type-checked' };
  const env = childEnv({ ...settings.env, PATH: userPath });
  const timeoutMs = settings.timeoutSeconds * 1000;
  if (settings.mode === 'run' || settings.mode === 'vitest') {
    const [command, args] =
      settings.mode === 'run'
        ? [userNode, [file]]
        : [join(dir, 'node_modules', '.bin', 'vitest'), ['run', file]];
    const result = await runToEnd(command, args, { cwd: dir, env, timeoutMs });
    if (result.code === 0) return { kind: 'passed' };
    const how = result.timedOut
      ? `did not finish within ${settings.timeoutSeconds} s`
      : `exited with ${result.code ?? result.signal}`;
    return { kind: 'failed', why: `${how}:\n${indent(lastLines(result.output, 15))}` };
  }
  if (await portInUse(settings.port)) {
    return { kind: 'failed', why: `port ${settings.port} is already in use on this machine` };
  }
  const server = startServer(userNode, [file], {
    cwd: dir,
    env,
    port: settings.port,
    timeoutMs,
  });
  try {
    await server.listening;
    const problems = await checkRequests(settings.port, settings.requests, (scope) =>
      running.accessToken(scope),
    );
    if (!server.alive()) problems.push('the process ended while answering');
    if (problems.length === 0) return { kind: 'passed' };
    return {
      kind: 'failed',
      why: `${problems.join('; ')}\n${indent(lastLines(server.output(), 15))}`,
    };
  } catch (error) {
    return { kind: 'failed', why: `${String(error)}\n${indent(lastLines(server.output(), 15))}` };
  } finally {
    await server.stop();
  }
}

/** Every README of the repository that git tracks, optionally only those matching `--only`. */
async function readmeFiles(): Promise<string[]> {
  const listed = await capture('git', ['ls-files', '*README.md'], {
    cwd: workspaceRoot,
    env: childEnv({}),
  });
  return listed
    .split('\n')
    .filter((file) => file !== '' && (flags.only === undefined || file.includes(flags.only)));
}

/** `pnpm pack` of every publishable package (built first); package name to tarball path. */
async function packTarballs(into: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const pkg of await publishablePackages(workspaceRoot)) {
    const printed = await capture('pnpm', ['pack', '--pack-destination', into, '--json'], {
      cwd: pkg.dir,
      env: childEnv({}),
    });
    const filename: unknown = Reflect.get(parseJsonObject(printed, 'pnpm pack --json'), 'filename');
    if (typeof filename !== 'string') throw new Error('pnpm pack --json printed no filename');
    tarballs.set(pkg.name, resolve(into, filename));
  }
  process.stdout.write(
    `packed ${[...tarballs.keys()].join(', ')} into ${relative(workspaceRoot, into) || into}\n`,
  );
  return tarballs;
}

/** `undefined` when a Docker engine answers, else why not. */
async function dockerAvailable(): Promise<string | undefined> {
  const result = await runToEnd('docker', ['info', '--format', '{{.ServerVersion}}'], {
    cwd: workspaceRoot,
    env: childEnv({}),
    timeoutMs: 15_000,
  }).catch((error: unknown) => ({ code: 1, output: String(error) }));
  return result.code === 0
    ? undefined
    : `no Docker engine answers (${firstLines(result.output, 1)})`;
}

function firstLines(text: string, count: number): string {
  return text.trim().split('\n').slice(0, count).join('\n');
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `      | ${line}`)
    .join('\n');
}
