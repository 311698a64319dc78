import { randomBytes } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import {
  challengeOf,
  challengesOf,
  check,
  describeAnswer,
  expectRefused,
  expectStatus,
  type Exchange,
} from '../check.js';
import {
  boundToken,
  createDpopKey,
  dpopHeaders,
  signProof,
  type DpopKey,
  type ProofRecipe,
} from '../dpop-proof.js';
import type { Answer, ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import type { KitDpopOptions, TestAppOptions } from '../test-app.js';
import { TokenFactory } from '../token-factory.js';
import { scenario } from './define.js';

const G = 'Sender-constrained tokens (DPoP)' as const;
const PRIVATE = '/api/private';

/**
 * The DPoP settings of the apps the DPoP scenarios start: both schemes, the algorithms of RFC 9449
 * figure 15, a proof accepted for 5 minutes after its `iat` and 30 s before it.
 */
export const KIT_DPOP: Readonly<KitDpopOptions> = Object.freeze({
  mode: 'allowed',
  algorithms: Object.freeze(['ES256', 'PS256'] as const),
  iatWindow: 300,
  iatLeeway: 30,
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => TokenFactory.now();

/** The options with DPoP on: the kit's settings, changed by `dpop`. */
function withDpop(options: TestAppOptions, dpop: Partial<KitDpopOptions> = {}): TestAppOptions {
  return { ...options, verifier: { ...options.verifier, dpop: { ...KIT_DPOP, ...dpop } } };
}

/** An app started with DPoP on, a client's DPoP key, and an access token bound to it. */
interface DpopSetup {
  http: ConformanceHttp;
  key: DpopKey;
  /** An access token whose `cnf.jkt` is {@link key}'s thumbprint. */
  token: string;
  /** The URI of `path` as the kit reaches the app: what a proof's `htu` names. */
  htu(path?: string): string;
  /** A valid proof of {@link key} for {@link token} at `GET /api/private`, changed by `recipe`. */
  proof(recipe?: Partial<ProofRecipe>): Promise<string>;
  /** `GET path` with the bound token in the `DPoP` scheme, and `proof` in the `DPoP` header. */
  send(proof: string | undefined, path?: string): Promise<Answer>;
  /**
   * Fails unless the bound token with a fresh valid proof is served: the control of every refusal,
   * so a verifier that refuses the DPoP scheme altogether does not pass a refusal.
   */
  expectServed(): Promise<void>;
  /** Fails unless the bound token with `proof` is refused (4xx). */
  expectProofRefused(proof: string | undefined, what: string, path?: string): Promise<void>;
}

async function startDpopApp(
  { startApp, tokens }: ScenarioContext,
  dpop: Partial<KitDpopOptions> = {},
): Promise<DpopSetup> {
  const { app, http } = await startApp((options) => withDpop(options, dpop));
  const key = await createDpopKey();
  const token = await boundToken(tokens, key);
  const htu = (path = PRIVATE) => `${app.url}${path}`;
  const proof = (recipe: Partial<ProofRecipe> = {}) =>
    signProof({ key, htu: htu(), token, ...recipe });
  const send = (value: string | undefined, path = PRIVATE) =>
    http.request(path, {
      headers: value === undefined ? { authorization: `DPoP ${token}` } : dpopHeaders(token, value),
    });
  return {
    http,
    key,
    token,
    htu,
    proof,
    send,
    expectServed: async () => {
      expectStatus(
        await send(await proof()),
        200,
        'with a DPoP-bound token and a valid proof of its key (the control)',
        '200 (the token and its proof accepted)',
      );
    },
    expectProofRefused: async (value, what, path) => {
      expectRefused(await send(value, path), `with a DPoP-bound token and ${what}`);
    },
  };
}

/** `GET /api/private` with a token that is not DPoP-bound in the `DPoP` scheme, and `proof`. */
function sendUnbound(http: ConformanceHttp, token: string, proof: string): Promise<Answer> {
  return http.request(PRIVATE, { headers: dpopHeaders(token, proof) });
}

/** `scheme: error="..."` of each challenge, for messages. */
function errorsByScheme(answer: Exchange): string {
  return challengesOf(answer.wwwAuthenticate)
    .map((c) => `${c.scheme} ${c.params.get('error') ?? '(no error)'}`)
    .join(', ');
}

/**
 * Fails unless the answer is a 401 whose challenge of `scheme` carries `error`, and the other
 * scheme's challenge (when there is one) carries none (RFC 9449 section 7.2).
 */
function expectErrorOn(answer: Exchange, scheme: 'Bearer' | 'DPoP', error: string, what: string) {
  const other = scheme === 'DPoP' ? 'Bearer' : 'DPoP';
  const used = challengeOf(answer.wwwAuthenticate, scheme);
  const unused = challengeOf(answer.wwwAuthenticate, other);
  check(
    answer.status === 401 &&
      used?.params.get('error') === error &&
      unused?.params.get('error') === undefined,
    `${answer.request} ${what}`,
    `401 with error="${error}" on the ${scheme} challenge and none on a ${other} challenge`,
    () => `${describeAnswer(answer)} (errors: ${errorsByScheme(answer) || 'no challenge'})`,
  );
}

const MUST_ENSURE = '"To validate a DPoP proof, the receiving server MUST ensure the following"';

/**
 * RFC 9449 at the API: DPoP-bound tokens need the `DPoP` scheme and a proof that holds (section
 * 4.3) of the key they are bound to (sections 6 and 7.1); never as Bearer (section 7.2); the
 * challenges of both schemes (sections 7.1 and 7.2); server nonces (sections 9 and 11.3).
 */
export const dpop = [
  scenario({
    id: 'dpop-01',
    group: G,
    spec: 'RFC 9449 section 7.1',
    words:
      '"For such an access token, a resource server MUST check that a DPoP proof was also received ..., check the DPoP proof according to the rules in Section 4.3, and check that the public key of the DPoP proof matches the public key to which the access token is bound" (a token whose every check holds is served: the other side of every refusal)',
    name: 'MUST accept a DPoP-bound token with the DPoP scheme and a valid proof of its key',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      // Two requests, each with its own proof: a proof is per request, the token is not.
      for (const which of ['a first', 'a second']) {
        expectStatus(
          await app.send(await app.proof()),
          200,
          `with a DPoP-bound token and ${which} valid proof of its key`,
          '200 (the token and its proof accepted)',
        );
      }
    },
  }),
  scenario({
    id: 'dpop-02',
    group: G,
    spec: 'RFC 9449 section 7.1',
    words:
      '"a resource server MUST check that a DPoP proof was also received in the DPoP header field of the HTTP request"; "The resource server MUST NOT grant access to the resource unless all checks are successful"',
    name: 'MUST refuse a DPoP-bound token sent with the DPoP scheme and no DPoP proof',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(undefined, 'no DPoP header');
    },
  }),
  scenario({
    id: 'dpop-03',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 8)',
    words: `${MUST_ENSURE}: "8. The htm claim matches the HTTP method of the current request"`,
    name: 'MUST refuse a proof whose htm is another method',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(await app.proof({ htm: 'POST' }), 'a proof whose htm is POST');
    },
  }),
  scenario({
    id: 'dpop-04',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 9)',
    words: `${MUST_ENSURE}: "9. The htu claim matches the HTTP URI value for the HTTP request in which the JWT was received"`,
    name: 'MUST refuse a proof whose htu names another URI',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(
        await app.proof({ htu: app.htu('/api/other') }),
        'a proof whose htu names /api/other on the same origin',
      );
      await app.expectProofRefused(
        await app.proof({ htu: 'https://api.example.com/api/private' }),
        'a proof whose htu names https://api.example.com/api/private',
      );
    },
  }),
  scenario({
    id: 'dpop-05',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 9)',
    words: `${MUST_ENSURE}: "9. The htu claim matches the HTTP URI value for the HTTP request in which the JWT was received, ignoring any query and fragment parts"`,
    name: 'MUST ignore the query of the request when it compares htu',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      const path = `${PRIVATE}?page=2`;
      expectStatus(
        await app.send(await app.proof(), path),
        200,
        `with a DPoP-bound token and a proof whose htu is ${PRIVATE} on the same origin, without the query`,
        '200 (the query is not part of what htu names)',
      );
      // The control: htu is compared at all.
      await app.expectProofRefused(
        await app.proof({ htu: app.htu('/api/other') }),
        'a proof whose htu names /api/other (the control: htu is compared)',
        path,
      );
    },
  }),
  scenario({
    id: 'dpop-06',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 11) / section 11.1',
    words: `${MUST_ENSURE}: "11. The creation time of the JWT ... is within an acceptable window"; "servers MUST only accept DPoP proofs for a limited time after their creation" (the kit's verifier.dpop.iatWindow is 300 s)`,
    name: 'MUST refuse a proof created longer ago than its window (iat 600 s ago)',
    uses: ['verifier.dpop.mode', 'verifier.dpop.iatWindow'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(
        await app.proof({ claims: { iat: now() - 2 * KIT_DPOP.iatWindow } }),
        `a proof whose iat is ${2 * KIT_DPOP.iatWindow} s ago (the window is ${KIT_DPOP.iatWindow} s)`,
      );
    },
  }),
  scenario({
    id: 'dpop-07',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 11) / section 11.1',
    words: `${MUST_ENSURE}: "11. The creation time of the JWT ... is within an acceptable window"; "the server MAY accept DPoP proofs that carry an iat time in the reasonably near future (on the order of seconds or minutes)" (the kit's verifier.dpop.iatLeeway is 30 s)`,
    name: 'MUST refuse a proof created in the future beyond the leeway (iat an hour ahead)',
    uses: ['verifier.dpop.mode', 'verifier.dpop.iatLeeway'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(
        await app.proof({ claims: { iat: now() + 3600 } }),
        `a proof whose iat is 3600 s ahead (the leeway is ${KIT_DPOP.iatLeeway} s)`,
      );
    },
  }),
  scenario({
    id: 'dpop-08',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9449 section 11.1 describes jti replay detection)',
    words:
      'a proof is accepted once: its key and jti are remembered for as long as its iat window accepts it. RFC 9449 section 11.1 offers this without an RFC 2119 word: "servers can store the jti value of each DPoP proof for the time window in which the respective DPoP proof JWT would be accepted ... HTTP requests to the same URI for which the jti value has been seen before would be declined"',
    name: 'MUST decline a proof whose jti it has seen before (a replayed proof)',
    uses: ['verifier.dpop.mode', 'verifier.dpop.iatWindow'],
    run: async (context) => {
      const app = await startDpopApp(context);
      const proof = await app.proof();
      expectStatus(
        await app.send(proof),
        200,
        'with a DPoP-bound token and a valid proof (its first use)',
        '200 (the token and its proof accepted)',
      );
      await app.expectProofRefused(proof, 'the same proof again (the same jti, within its window)');
    },
  }),
  scenario({
    id: 'dpop-09',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 12)',
    words: `${MUST_ENSURE}: "12. If presented to a protected resource in conjunction with an access token, ensure that the value of the ath claim equals the hash of that access token"`,
    name: 'MUST refuse a proof without ath, or whose ath is the hash of another token',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(
        await app.proof({ claims: { ath: undefined } }),
        'a proof without ath',
      );
      const other = await boundToken(context.tokens, app.key, { jti: 'another-token' });
      await app.expectProofRefused(
        await app.proof({ token: other }),
        'a proof whose ath is the hash of another token bound to the same key',
      );
    },
  }),
  scenario({
    id: 'dpop-10',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 12) / section 6',
    words:
      '"Resource servers supporting DPoP MUST ensure that the public key from the DPoP proof matches the one bound to the access token" (section 6); step 12: "confirm that the public key to which the access token is bound matches the public key from the DPoP proof"',
    name: "MUST refuse a proof signed by a key other than the one the token's cnf.jkt names",
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      const stranger = await createDpopKey();
      await app.expectProofRefused(
        await app.proof({ key: stranger }),
        'a valid proof of another key than the one the token is bound to',
      );
    },
  }),
  scenario({
    id: 'dpop-11',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 7) / section 4.2',
    words: `${MUST_ENSURE}: "7. The jwk JOSE Header Parameter does not contain a private key"; section 4.2: jwk "MUST NOT contain a private key"`,
    name: 'MUST refuse a proof whose jwk header holds the private key',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      // The real private key: the signature verifies and the thumbprint matches cnf.jkt, so
      // only the private member is at fault.
      await app.expectProofRefused(
        await app.proof({ header: { jwk: app.key.privateJwk } }),
        'a proof of its key whose jwk header also holds the private key (d)',
      );
    },
  }),
  scenario({
    id: 'dpop-12',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 5) / section 11.6',
    words: `${MUST_ENSURE}: "5. The alg JOSE Header Parameter indicates a registered asymmetric digital signature algorithm ..., is not none"; section 11.6: "the algorithm none MUST NOT be allowed"; section 4.2: alg "MUST NOT be none or an identifier for a symmetric algorithm"`,
    name: 'MUST refuse a proof whose alg is none or HS256',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      const { publicJwk } = app.key;
      const claims = decodeJwt(await app.proof());
      const unsigned = `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: publicJwk })}.${b64(claims)}.`;
      await app.expectProofRefused(unsigned, 'an unsigned proof (alg none)');
      // HS256 keyed with the public JWK, as a key-confusion attack would try.
      const hs256 = await new SignJWT({ ...claims, jti: `${String(claims['jti'])}-hs` })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: publicJwk })
        .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      await app.expectProofRefused(hs256, 'an HS256 proof keyed with its public JWK');
    },
  }),
  scenario({
    id: 'dpop-13',
    group: G,
    spec: 'RFC 9449 section 4.3 (step 4) / section 11.5',
    words: `${MUST_ENSURE}: "4. The typ JOSE Header Parameter has the value dpop+jwt"; section 11.5: "Servers accepting signed DPoP proof JWTs MUST verify that the typ field is dpop+jwt"`,
    name: 'MUST refuse a proof whose typ is not dpop+jwt',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      await app.expectProofRefused(
        await app.proof({ header: { typ: 'JWT' } }),
        'a proof typed JWT',
      );
      await app.expectProofRefused(
        await app.proof({ header: { typ: undefined } }),
        'a proof without typ',
      );
    },
  }),
  scenario({
    id: 'dpop-14',
    group: G,
    spec: 'RFC 9449 section 7.2',
    words:
      'protected resources supporting both schemes: "such a protected resource MUST reject a DPoP-bound access token received as a bearer token per [RFC6750]"',
    name: 'MUST refuse a DPoP-bound token sent with the Bearer scheme',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      expectRefused(
        await app.http.bearer(PRIVATE, app.token),
        'with a DPoP-bound token in Authorization: Bearer (no proof)',
      );
    },
  }),
  scenario({
    id: 'dpop-15',
    group: G,
    spec: 'RFC 9449 section 6 / section 4.3 (step 12)',
    words:
      '"Resource servers supporting DPoP MUST ensure that the public key from the DPoP proof matches the one bound to the access token": a token bound to no key matches no proof',
    name: 'MUST refuse a token that is not DPoP-bound sent with the DPoP scheme and a proof',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      const unbound = await context.tokens.sign();
      expectStatus(
        await app.http.bearer(PRIVATE, unbound),
        200,
        'with a token that is not DPoP-bound, as Bearer (the control: it is valid)',
        '200 (the token accepted)',
      );
      expectRefused(
        await sendUnbound(app.http, unbound, await app.proof({ token: unbound })),
        'with a token that is not DPoP-bound in Authorization: DPoP, and a valid proof',
      );
    },
  }),
  scenario({
    id: 'dpop-16',
    group: G,
    spec: 'RFC 9449 section 7.1',
    words:
      'in a DPoP challenge "An error parameter ... SHOULD be included to indicate the reason why the request was declined"; "invalid_dpop_proof is used to indicate that the DPoP proof itself was deemed invalid based on the criteria of Section 4.3"',
    name: 'SHOULD answer a proof that breaks a rule of section 4.3 with 401 and error="invalid_dpop_proof" on the DPoP challenge',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      expectErrorOn(
        await app.send(await app.proof({ htm: 'POST' })),
        'DPoP',
        'invalid_dpop_proof',
        'with a DPoP-bound token and a proof whose htm is POST',
      );
    },
  }),
  scenario({
    id: 'dpop-17',
    group: G,
    spec: 'RFC 9449 section 7.2',
    words:
      'with both schemes: "If the mechanism used to attempt authentication could be established unambiguously, then the corresponding challenge SHOULD be used to deliver error information"',
    name: 'SHOULD deliver the error on the challenge of the scheme the request used',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      expectErrorOn(
        await app.http.bearer(PRIVATE, app.token),
        'Bearer',
        'invalid_token',
        'with a DPoP-bound token as Bearer',
      );
      expectErrorOn(
        await app.send(await app.proof({ key: await createDpopKey() })),
        'DPoP',
        'invalid_token',
        'with a DPoP-bound token and a valid proof of another key',
      );
    },
  }),
  scenario({
    id: 'dpop-18',
    group: G,
    spec: 'RFC 9449 section 7.2 / section 7.1',
    words:
      '"If no authentication information has been included with the request, then the challenges SHOULD NOT include an error code" (section 7.2, figure 17: a Bearer and a DPoP challenge); "An algs parameter SHOULD be included to signal to the client the JWS algorithms that are acceptable for the DPoP proof JWT" (section 7.1)',
    name: 'SHOULD challenge a request without credentials with Bearer and with DPoP and its algs, neither with an error',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      const answer = await app.http.request(PRIVATE);
      const challenges = challengesOf(answer.wwwAuthenticate);
      const algs =
        challengeOf(answer.wwwAuthenticate, 'DPoP')?.params.get('algs')?.split(' ') ?? [];
      check(
        answer.status === 401 &&
          challengeOf(answer.wwwAuthenticate, 'Bearer') !== undefined &&
          algs.includes('ES256') &&
          !algs.some((alg) => alg === 'none' || alg.startsWith('HS')) &&
          challenges.every((challenge) => !challenge.params.has('error')),
        `${answer.request} with no credentials`,
        '401 with a Bearer challenge and a DPoP challenge whose algs lists ES256 (no none, no HS*), neither with an error',
        answer,
      );
    },
  }),
  scenario({
    id: 'dpop-19',
    group: G,
    spec: 'RFC 6750 section 3 / RFC 9449 section 7.1',
    words:
      'a request that "does not contain an access token that enables access to the protected resource": "the resource server MUST include the HTTP WWW-Authenticate response header field" (RFC 6750); where DPoP is required, "The scheme name is DPoP" (RFC 9449 section 7.1)',
    name: 'MUST refuse a Bearer token with a DPoP challenge when DPoP is required',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context, { mode: 'required' });
      await app.expectServed();
      const answer = await app.http.bearer(PRIVATE, await context.tokens.sign());
      check(
        answer.status >= 400 &&
          answer.status < 500 &&
          challengeOf(answer.wwwAuthenticate, 'DPoP') !== undefined,
        `${answer.request} with a valid token that is not DPoP-bound, as Bearer, to an app requiring DPoP`,
        'a refusal (401) with a DPoP challenge',
        answer,
      );
    },
  }),
  scenario({
    id: 'dpop-20',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9449 section 7.1 challenges)',
    words:
      'ropkit challenges with each scheme it accepts, with the realm and the configured proof algorithms, and with DPoP alone when DPoP is required (a Bearer challenge would invite a token it refuses)',
    name: 'MUST challenge with exactly the schemes it accepts, with realm and the configured algs',
    uses: ['verifier.dpop.mode', 'verifier.dpop.algorithms', 'verifier.realm'],
    run: async (context) => {
      const realm = context.options.verifier.realm;
      const algs = KIT_DPOP.algorithms.join(' ');
      const allowed = await startDpopApp(context);
      const required = await startDpopApp(context, { mode: 'required' });
      for (const [app, mode, expected] of [
        [allowed, 'allowed', `Bearer realm="${realm}", DPoP realm="${realm}", algs="${algs}"`],
        [required, 'required', `DPoP realm="${realm}", algs="${algs}"`],
      ] as const) {
        await app.expectServed();
        const answer = await app.http.request(PRIVATE);
        check(
          answer.status === 401 && answer.wwwAuthenticate === expected,
          `${answer.request} with no credentials (DPoP ${mode})`,
          `401 with WWW-Authenticate: ${expected}`,
          answer,
        );
      }
    },
  }),
  scenario({
    id: 'dpop-21',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_request) / RFC 9449 section 7.2',
    words:
      'a request that "is missing a required parameter ... or is otherwise malformed": "The resource server SHOULD respond with the HTTP 400 (Bad Request) status code" (RFC 6750); RFC 9449 figure 19 answers ambiguous authentication 400 invalid_request',
    name: 'SHOULD answer 400 invalid_request to a Bearer request with a DPoP proof, and to the DPoP scheme without one',
    uses: ['verifier.dpop.mode'],
    run: async (context) => {
      const app = await startDpopApp(context);
      await app.expectServed();
      const unbound = await context.tokens.sign();
      for (const [answer, what] of [
        [
          await app.http.request(PRIVATE, {
            headers: {
              authorization: `Bearer ${unbound}`,
              dpop: await app.proof({ token: unbound }),
            },
          }),
          'with a valid unbound token as Bearer and a DPoP proof',
        ],
        [
          await app.send(undefined),
          'with a DPoP-bound token in Authorization: DPoP and no DPoP header',
        ],
      ] as const) {
        const errors = challengesOf(answer.wwwAuthenticate).map((c) => c.params.get('error'));
        check(
          answer.status === 400 && errors.includes('invalid_request'),
          `${answer.request} ${what}`,
          '400 with error="invalid_request"',
          answer,
        );
      }
    },
  }),
  scenario({
    id: 'dpop-22',
    group: G,
    requires: ['bearer', 'dpop', 'dpop-nonce'],
    spec: 'RFC 9449 section 4.3 (step 10) / section 9',
    words: `${MUST_ENSURE}: "10. If the server provided a nonce value to the client, the nonce claim matches the server-provided nonce value" (a proof carrying the nonce it provided holds); section 9: resource servers "provide the nonce using the DPoP-Nonce header" and "use an HTTP 401 (Unauthorized) error code with an accompanying WWW-Authenticate: DPoP value and DPoP-Nonce value"`,
    name: 'MUST ask for a nonce with 401 use_dpop_nonce and DPoP-Nonce, and accept the retry carrying it',
    uses: ['verifier.dpop.mode', 'verifier.dpop.nonce'],
    run: async (context) => {
      const app = await startDpopApp(context, {
        nonce: { secret: randomBytes(32).toString('base64url') },
      });
      const nonce = await askedNonce(app);
      expectStatus(
        await app.send(await app.proof({ claims: { nonce } })),
        200,
        'with a DPoP-bound token and a new proof carrying the nonce of DPoP-Nonce',
        '200 (the token and its proof accepted)',
      );
    },
  }),
  scenario({
    id: 'dpop-23',
    group: G,
    requires: ['bearer', 'dpop', 'dpop-nonce'],
    spec: 'RFC 9449 section 11.3 / section 4.3 (step 10)',
    words:
      '"A server MUST NOT accept any DPoP proofs without the nonce claim when a DPoP nonce has been provided to the client" (section 11.3); "10. If the server provided a nonce value to the client, the nonce claim matches the server-provided nonce value"',
    name: 'MUST NOT accept a proof without the nonce, or with one it did not provide, once it asked for one',
    uses: ['verifier.dpop.mode', 'verifier.dpop.nonce'],
    run: async (context) => {
      const app = await startDpopApp(context, {
        nonce: { secret: randomBytes(32).toString('base64url') },
      });
      const nonce = await askedNonce(app);
      expectStatus(
        await app.send(await app.proof({ claims: { nonce } })),
        200,
        'with a DPoP-bound token and a proof carrying the nonce of DPoP-Nonce (the control)',
        '200 (the token and its proof accepted)',
      );
      await app.expectProofRefused(await app.proof(), 'a proof without the nonce it was given');
      await app.expectProofRefused(
        await app.proof({ claims: { nonce: `${nonce}x` } }),
        'a proof whose nonce is not one the server provided',
      );
    },
  }),
];

/**
 * Sends a proof without a nonce to an app that requires one and returns the nonce of its answer;
 * fails unless it is 401 with error="use_dpop_nonce" on the DPoP challenge and a DPoP-Nonce header.
 */
async function askedNonce(app: DpopSetup): Promise<string> {
  const answer = await app.send(await app.proof());
  const nonce = answer.header('dpop-nonce');
  check(
    answer.status === 401 &&
      challengeOf(answer.wwwAuthenticate, 'DPoP')?.params.get('error') === 'use_dpop_nonce' &&
      nonce !== null &&
      nonce !== '',
    `${answer.request} with a DPoP-bound token and a valid proof without a nonce, to an app requiring nonces`,
    '401 with error="use_dpop_nonce" on the DPoP challenge and a DPoP-Nonce header',
    () => `${describeAnswer(answer)}, ${nonce === null ? 'no DPoP-Nonce' : 'a DPoP-Nonce header'}`,
  );
  return nonce ?? '';
}
