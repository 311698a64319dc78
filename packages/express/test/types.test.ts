import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type {
  AuthorizedFetch,
  IdTokenClaims,
  LoginOutcome,
  TokenManager,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  auth,
  authErrorHandler,
  claimCheck,
  passwordLogin,
  requireAnyScope,
  requirement,
  requireScopes,
  type AuthRequirement,
  type LoginResponder,
  type LoginResult,
  type PasswordLoginHandlers,
  type PasswordLoginOptions,
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
  it('types req.auth, accessToken(), apiFetch(), identity() and userinfo() on every request', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<Request['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<Request['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();
    expectTypeOf<Request['identity']>().toEqualTypeOf<
      () => Promise<Readonly<IdTokenClaims> | undefined>
    >();
    expectTypeOf<Request['userinfo']>().toEqualTypeOf<() => Promise<UserinfoClaims>>();

    expect(inferredHandler).toBeTypeOf('function');
  });

  it('gives Express middleware types to every factory', () => {
    expectTypeOf(auth).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(authErrorHandler).returns.toEqualTypeOf<ErrorRequestHandler>();
    expectTypeOf(requireScopes).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(requireAnyScope).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(claimCheck).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requirement).parameter(0).toEqualTypeOf<AuthRequirement>();
    expectTypeOf(passwordLogin).parameter(0).toEqualTypeOf<PasswordLoginOptions>();
    expectTypeOf(passwordLogin).returns.toEqualTypeOf<PasswordLoginHandlers>();
    expectTypeOf<PasswordLoginHandlers['login']>().toEqualTypeOf<RequestHandler>();
    expectTypeOf<PasswordLoginHandlers['tokens']>().toEqualTypeOf<RequestHandler>();
    expectTypeOf<PasswordLoginHandlers['manager']>().toEqualTypeOf<TokenManager>();
    expectTypeOf<LoginResult>().toEqualTypeOf<LoginOutcome | { status: 'signed_out' }>();
    expectTypeOf<LoginResponder>().toEqualTypeOf<
      (result: LoginResult, req: Request, res: Response) => void | Promise<void>
    >();
    expect(auth).toBeTypeOf('function');
  });

  it('types respond from the option alone, and refuses unknown options at compile time', () => {
    const client = { issuer: 'https://tenant.example.com/', clientId: 'id', clientSecret: 's' };
    // Declared, never called: only the compiler looks at them.
    const declare = () => [
      passwordLogin({
        client,
        respond: (result, req, res) => {
          expectTypeOf(result).toEqualTypeOf<LoginResult>();
          expectTypeOf(req).toEqualTypeOf<Request>();
          expectTypeOf(res).toEqualTypeOf<Response>();
        },
      }),
      // @ts-expect-error: not an option (forwardUserIp is)
      passwordLogin({ client, forwardUserip: true }),
    ];
    expect(declare).toBeTypeOf('function');
  });

  it('importing the package is enough, and needed, for req.auth to type-check', async () => {
    const consumer = [
      "import express from 'express';",
      "import type { VerifiedAccessToken } from '@ropkit/core';",
      'const app = express();',
      "app.get('/', (req, res) => {",
      '  const auth: VerifiedAccessToken | undefined = req.auth;',
      '  const token: Promise<string> = req.accessToken();',
      "  const answer: Promise<Response> = req.apiFetch('https://api.example.com/');",
      '  const sub: Promise<string | undefined> = req.identity().then((claims) => claims?.sub);',
      '  const email: Promise<string | undefined> = req.userinfo().then((claims) => claims.email);',
      '  res.json({ auth, token, answer, sub, email });',
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
        // As a Node project compiles: no DOM (the checker of the README examples does the same).
        lib: ['es2024'],
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
      expect(withoutImport.output).toContain("Property 'apiFetch' does not exist");
      expect(withoutImport.output).toContain("Property 'identity' does not exist");
      expect(withoutImport.output).toContain("Property 'userinfo' does not exist");
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
