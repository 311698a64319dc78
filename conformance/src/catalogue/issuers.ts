import { check, describeAnswer, fail } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import type { ConformanceHttp } from '../http-client.js';
import type { CustomDomain, ScenarioContext } from '../scenario.js';
import { startSecondIssuer } from '../second-issuer.js';
import type { KitIssuer, TestAppOptions } from '../test-app.js';
import { TokenFactory, createKitKey } from '../token-factory.js';
import { expectTokenRefused, expectTokenServed, pause, scenario } from './define.js';

const G = 'Several issuers' as const;

/** The options with `verifier.issuer` a list of `issuers` (and no `verifier.jwksUri`). */
function withIssuers(options: TestAppOptions, issuers: readonly KitIssuer[]): TestAppOptions {
  const { jwksUri: _one, issuer: _first, ...verifier } = options.verifier;
  return { ...options, verifier: { ...verifier, issuer: issuers } };
}

/** An app trusting two issuers, each with its own key set, and a signer for each. */
interface TwoIssuers {
  http: ConformanceHttp;
  /** Signs tokens of the mock server's tenant domain with its key (the kit's usual tokens). */
  first: TokenFactory;
  /** Signs tokens of the second issuer with its key. */
  second: TokenFactory;
}

/** Starts an app trusting `issuers` (each with its own key set). */
async function startIssuersApp(
  context: ScenarioContext,
  issuers: readonly KitIssuer[],
): Promise<ConformanceHttp> {
  const { http } = await context.startApp((options) => withIssuers(options, issuers));
  return http;
}

/**
 * An app trusting the tenant domain and the tenant's custom domain (the mock server's second
 * listener): two issuers of one tenant, each with its own discovery and key set URL, the same keys
 * behind both, as an API sees Auth0 during a move to a custom domain.
 */
async function withCustomDomain(
  context: ScenarioContext,
  body: (setup: TwoIssuers & { custom: CustomDomain }) => Promise<void>,
): Promise<void> {
  const custom = context.server.customDomain;
  if (custom === undefined) fail('the kit started its issuer', 'a custom domain', 'none');
  const http = await startIssuersApp(context, [
    { issuer: context.server.issuer, jwksUri: context.server.jwksUri },
    { issuer: custom.issuer, jwksUri: custom.jwksUri },
  ]);
  await body({
    http,
    first: context.tokens,
    second: new TokenFactory(custom.issuer, KIT.audience, context.tokens.key),
    custom,
  });
}

/**
 * An app trusting the tenant domain and another authorization server with a key of its own (the
 * kit serves its discovery and key set on 127.0.0.1): keys that belong to one issuer only.
 */
async function withAnotherServer(
  context: ScenarioContext,
  body: (setup: TwoIssuers) => Promise<void>,
): Promise<void> {
  const other = await startSecondIssuer('another-server');
  try {
    const http = await startIssuersApp(context, [
      { issuer: context.server.issuer, jwksUri: context.server.jwksUri },
      { issuer: other.issuer, jwksUri: other.jwksUri },
    ]);
    await body({
      http,
      first: context.tokens,
      second: new TokenFactory(other.issuer, KIT.audience, other.key),
    });
  } finally {
    await other.close();
  }
}

/** An access token from `tokenEndpoint` by the password grant, as jwt-01 gets one. */
async function passwordGrantToken(
  context: ScenarioContext,
  tokenEndpoint: string,
): Promise<string> {
  const response = await context.fetch(tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: KIT.username,
      password: KIT.password,
      audience: KIT.audience,
      client_id: KIT.clientId,
      client_secret: KIT.clientSecret,
    }),
  });
  const body: unknown = await response.json();
  const token =
    typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
  if (typeof token !== 'string')
    fail(
      `POST ${tokenEndpoint} (password grant)`,
      'an access token',
      `${response.status} without access_token (the kit's authorization server failed)`,
    );
  return token;
}

/** Discovery and key set requests the mock server received, at both of its domains. */
async function keyRequests(context: ScenarioContext): Promise<number> {
  const log = await context.server.control.requests();
  return log.filter((entry) => entry.path.startsWith('/.well-known/')).length;
}

const SECTION_3_8 =
  '"the application MUST validate that the cryptographic keys used for the cryptographic operations in the JWT belong to the issuer. If they do not, the application MUST reject the JWT"';

/**
 * `verifier.issuer` as a list: a token's `iss` picks one accepted issuer, whose own key set checks
 * it (RFC 8725 section 3.8). The second issuer is the tenant's custom domain (the mock server's
 * second listener, the same keys) or, where keys must differ, another server the kit serves.
 */
export const issuers = [
  scenario({
    id: 'iss-01',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 custom domains',
    words:
      'a tenant with a custom domain issues tokens whose iss is the custom domain or the tenant domain, each serving its discovery and the tenant keys; while clients move, an API accepts both (ropkit: issuer as a list)',
    name: 'MUST accept the access tokens of the tenant domain and of its custom domain',
    uses: ['verifier.issuer[]'],
    run: (context) =>
      withCustomDomain(context, async ({ http, custom }) => {
        await expectTokenServed(
          http,
          await passwordGrantToken(context, context.server.tokenEndpoint),
          `an access token from the tenant domain's token endpoint (iss ${context.server.issuer})`,
        );
        await expectTokenServed(
          http,
          await passwordGrantToken(context, custom.tokenEndpoint),
          `an access token from the custom domain's token endpoint (iss ${custom.issuer})`,
        );
      }),
  }),
  scenario({
    id: 'iss-02',
    group: G,
    spec: 'RFC 8725 section 3.8',
    words: `${SECTION_3_8}: the keys of the accepted issuers do not belong to an issuer not on the list`,
    name: 'MUST refuse a token whose iss is not on the list, even signed by a key of a listed issuer',
    uses: ['verifier.issuer[]'],
    run: (context) =>
      withCustomDomain(context, async ({ http, second }) => {
        // The control: the second issuer is trusted, so the refusal below is about iss.
        await expectTokenServed(http, await second.sign(), 'a token of the custom domain');
        await expectTokenRefused(
          http,
          await second.sign({ claims: { iss: 'https://unlisted.example.com/' } }),
          "a token whose iss is https://unlisted.example.com/, signed by the tenant's key",
        );
      }),
  }),
  scenario({
    id: 'iss-03',
    group: G,
    spec: 'RFC 8725 section 3.8',
    words: `${SECTION_3_8}: a key of one accepted issuer does not belong to the other`,
    name: "MUST refuse a token naming one issuer but signed by the other issuer's key",
    uses: ['verifier.issuer[]'],
    run: (context) =>
      withAnotherServer(context, async ({ http, first, second }) => {
        await expectTokenServed(http, await first.sign(), 'a token of the first issuer');
        await expectTokenServed(
          http,
          await second.sign(),
          'a token of the second issuer (another server), signed by its own key',
        );
        await expectTokenRefused(
          http,
          await second.sign({ key: first.key }),
          `a token whose iss is the second issuer, signed by the first issuer's key (${first.key.kid})`,
        );
        await expectTokenRefused(
          http,
          await first.sign({ key: second.key }),
          `a token whose iss is the first issuer, signed by the second issuer's key (${second.key.kid})`,
        );
      }),
  }),
  scenario({
    id: 'iss-04',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 8725 section 3.10 warns of requests driven by token content)',
    words:
      'a token whose iss is not on the list is refused before any key lookup: no discovery or key set is fetched, neither at the URL its iss names nor at the listed issuers',
    name: 'MUST NOT fetch any discovery or key set for a token whose issuer is not on the list',
    uses: ['verifier.issuer[]', 'verifier.keySet.cooldownMs'],
    run: (context) =>
      withCustomDomain(context, async ({ http, first, second }) => {
        await expectTokenServed(http, await first.sign(), 'a token of the tenant domain');
        await expectTokenServed(http, await second.sign(), 'a token of the custom domain');
        // Past the key set cooldown, so a verifier that looks the key up anywhere may fetch.
        await pause(context.options.verifier.keySet.cooldownMs + 100);
        const before = await keyRequests(context);
        const unlisted = new URL('/', context.downstream.url).href;
        const stranger = await createKitKey('unlisted-issuer-key');
        const answer = await http.bearer(
          '/api/private',
          await first.sign({ key: stranger, claims: { iss: unlisted } }),
        );
        const atUnlisted = context.downstream.received.length;
        const atListed = (await keyRequests(context)) - before;
        check(
          answer.status >= 400 && answer.status < 500 && atUnlisted + atListed === 0,
          `${answer.request} with a token whose iss is ${unlisted} (not on the list), signed by an unknown key`,
          `a refusal (401), no request to ${unlisted}, none to the listed issuers' discovery and key sets`,
          () =>
            `${describeAnswer(answer)}; ${atUnlisted} request(s) to ${unlisted}, ${atListed} to the listed issuers`,
        );
      }),
  }),
];
