import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AuthorizedFetch, LoginOutcome, VerifiedAccessToken } from '@ropkit/core';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  auth,
  authErrorHandler,
  passwordLogin,
  requireAnyScope,
  claimCheck,
  requireScopes,
  type LoginResult,
  type PasswordLoginHandlers,
} from '../src/index.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Inferred in a handler, with no annotation on req. */
const inferredHandler: RequestHandler = (req, res) => {
  expectTypeOf(req.auth?.payload.sub).toEqualTypeOf<string | undefined>();
  expectTypeOf(req.auth?.scopes).toEqualTypeOf<readonly string[] | undefined>();
  expectTypeOf(req.auth?.header.kid).toEqualTypeOf<string | undefined>();
  expectTypeOf(req.auth?.token).toEqualTypeOf<string | undefined>();
  res.end();
};

describe('types by declaration merging (src/index.ts)', () => {
  it('types req.auth, req.accessToken() and req.apiFetch() on every Express request', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<Request['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<Request['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();

    expect(inferredHandler).toBeTypeOf('function');
  });

  it('gives Express middleware types to every factory', () => {
    expectTypeOf(auth).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(authErrorHandler).returns.toEqualTypeOf<ErrorRequestHandler>();
    expectTypeOf(requireScopes).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(requireAnyScope).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(claimCheck).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(passwordLogin).returns.toEqualTypeOf<PasswordLoginHandlers>();
    expectTypeOf<PasswordLoginHandlers['login']>().toEqualTypeOf<RequestHandler>();
    expectTypeOf<LoginResult>().toEqualTypeOf<LoginOutcome | { status: 'signed_out' }>();
    expect(auth).toBeTypeOf('function');
  });

  it('importing the package is enough, and needed, for req.auth to type-check', async () => {
    const consumer = [
      "import express from 'express';",
      "import type { VerifiedAccessToken } from '@ropkit/core';",
      'const app = express();',
      "app.get('/', (req, res) => {",
      '  const auth: VerifiedAccessToken | undefined = req.auth;',
      '  const token: Promise<string> = req.accessToken();',
      '  res.json({ auth, token });',
      '});',
    ].join('\n');
    // Inside the package, so node_modules and the package's self-reference resolve as for a user.
    const dir = await mkdtemp(join(packageRoot, '.type-test-'));
    try {
      const compilerOptions = {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2024',
        types: ['node'],
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        customConditions: ['dev-source'],
      };
      await writeFile(join(dir, 'with.ts'), `import '@ropkit/express';\n${consumer}\n`);
      await writeFile(join(dir, 'without.ts'), `${consumer}\n`);
      for (const name of ['with', 'without']) {
        await writeFile(
          join(dir, `${name}.json`),
          JSON.stringify({ compilerOptions, files: [`${name}.ts`] }),
        );
      }
      const withImport = await typeCheck(join(dir, 'with.json'));
      expect(withImport).toEqual({ ok: true, output: '' });
      const withoutImport = await typeCheck(join(dir, 'without.json'));
      expect(withoutImport.ok).toBe(false);
      expect(withoutImport.output).toContain("Property 'auth' does not exist");
      expect(withoutImport.output).toContain("Property 'accessToken' does not exist");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

async function typeCheck(project: string): Promise<{ ok: boolean; output: string }> {
  const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', project, '--pretty', 'false']);
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    return { ok: false, output: stdout ?? String(error) };
  }
}
