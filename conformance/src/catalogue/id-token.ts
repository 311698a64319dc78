import type { IdTokenDefect } from '@ropkit/mock-server';
import { check, describeAnswer } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import type { BrowserSession, ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import { pause, scenario } from './define.js';

const G = 'ID token validation' as const;

/** Past the login access token's whole lifetime: the next API call must refresh first. */
const PAST_EXPIRY_MS = KIT.loginTokenLifetime * 1000 + 100;

/** The mock server spoils the ID token of its next token answer that carries one. */
function spoilNextIdToken({ server }: ScenarioContext, defect: IdTokenDefect): Promise<void> {
  return server.control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect });
}

/**
 * Signs the kit's user in while the token endpoint answers with an ID token spoiled by `defect`,
 * and fails unless the sign-in is refused and leaves nothing behind: the login answer is not a
 * success (and is not a 500: the application did not crash on what the server sent), carries no
 * token, and the session cannot call the API afterwards.
 */
async function expectSignInRefused(
  context: ScenarioContext,
  defect: IdTokenDefect,
  described: string,
): Promise<void> {
  await spoilNextIdToken(context, defect);
  const browser = context.http.session();
  const answer = await browser.login(KIT.username, KIT.password);
  const sent = `with the right password while the token endpoint answers ${described}`;
  check(
    answer.status >= 400 && answer.status !== 500,
    `${answer.request} ${sent}`,
    'a refused sign-in (4xx, 502 or 503; never 200, never a crash)',
    answer,
  );
  check(
    !/eyJ[\w-]+\.[\w-]+\./.test(answer.body),
    `${answer.request} ${sent}`,
    'an answer without any token',
    describeAnswer(answer),
  );
  await expectNotSignedIn(browser, `after ${answer.request} ${sent}`);
}

/** Fails unless the session's `GET /call-api` is refused: nothing was saved for it. */
async function expectNotSignedIn(browser: BrowserSession, after: string): Promise<void> {
  const call = await browser.send('/call-api');
  check(
    call.status === 401,
    `${call.request} ${after}`,
    '401: the session is not signed in (no token was saved)',
    call,
  );
}

async function signedInSession(http: ConformanceHttp): Promise<BrowserSession> {
  const session = http.session();
  const answer = await session.login(KIT.username, KIT.password);
  check(answer.status === 200, `${answer.request} as the kit's user`, '200', answer);
  return session;
}

const CORE = 'OpenID Connect Core 1.0 section 3.1.3.7';

/**
 * OpenID Connect Core 1.0 section 3.1.3.7, as section 3.1.3.5 asks of a token response and
 * Auth0's tutorial ("validate your tokens before saving them"): the ID token a password grant
 * returns is validated before the sign-in completes, and a refresh may not change the user.
 */
export const idToken = [
  scenario({
    id: 'idt-01',
    group: G,
    spec: `RFC 8725 section 3.1; ${CORE} step 7`,
    words:
      'Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations (RFC 8725); "The alg value SHOULD be the default of RS256" (OpenID Connect)',
    name: 'MUST refuse an unsigned ID token (alg none)',
    run: (context) => expectSignInRefused(context, 'alg-none', 'an ID token with alg none'),
  }),
  scenario({
    id: 'idt-02',
    group: G,
    spec: `RFC 8725 section 3.1; ${CORE} steps 7 and 8`,
    words:
      'Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations (RFC 8725): a client that expects RS256 does not accept HS256 keyed with the octets of its client_secret (OpenID Connect step 8), the key confusion of RFC 8725 section 2.1',
    name: 'MUST refuse an ID token signed with HS256 and the client secret when RS256 is expected',
    run: (context) =>
      expectSignInRefused(
        context,
        'hs256-client-secret',
        'an ID token signed with HS256, keyed with the client secret',
      ),
  }),
  scenario({
    id: 'idt-03',
    group: G,
    spec: `${CORE} step 6`,
    words:
      'the Client MUST validate the signature of all other ID Tokens according to JWS [JWS] using the algorithm specified in the JWT alg Header Parameter. The Client MUST use the keys provided by the Issuer.',
    name: 'MUST refuse an ID token signed with a key the issuer does not publish',
    run: (context) =>
      expectSignInRefused(context, 'unknown-key', 'an ID token signed with an unknown key'),
  }),
  scenario({
    id: 'idt-04',
    group: G,
    spec: `${CORE} step 6`,
    words:
      'the Client MUST validate the signature of all other ID Tokens according to JWS [JWS] using the algorithm specified in the JWT alg Header Parameter (RFC 7515 section 5.2: a signature that does not validate fails the JWS)',
    name: 'MUST refuse an ID token whose signature does not verify',
    run: (context) =>
      expectSignInRefused(context, 'bad-signature', 'an ID token with an altered signature'),
  }),
  scenario({
    id: 'idt-05',
    group: G,
    spec: `${CORE} step 2`,
    words:
      'The Issuer Identifier for the OpenID Provider (which is typically obtained during Discovery) MUST exactly match the value of the iss (issuer) Claim.',
    name: 'MUST refuse an ID token from another issuer (an exact match: the trailing slash counts)',
    run: (context) =>
      expectSignInRefused(
        context,
        'wrong-issuer',
        'an ID token whose iss lacks the trailing slash',
      ),
  }),
  scenario({
    id: 'idt-06',
    group: G,
    spec: `${CORE} step 3`,
    words:
      'The Client MUST validate that the aud (audience) Claim contains its client_id value registered at the Issuer identified by the iss (issuer) Claim as an audience. ... The ID Token MUST be rejected if the ID Token does not list the Client as a valid audience',
    name: 'MUST refuse an ID token issued to another client',
    run: (context) =>
      expectSignInRefused(context, 'wrong-audience', 'an ID token for another audience'),
  }),
  scenario({
    id: 'idt-07',
    group: G,
    spec: `${CORE} step 4`,
    words:
      'If the ID Token contains multiple audiences, the Client SHOULD verify that an azp Claim is present.',
    name: 'SHOULD refuse an ID token with several audiences and no azp',
    run: (context) =>
      expectSignInRefused(
        context,
        'multiple-audiences-no-azp',
        'an ID token with two audiences and no azp',
      ),
  }),
  scenario({
    id: 'idt-08',
    group: G,
    spec: `${CORE} step 5`,
    words:
      'If an azp (authorized party) Claim is present, the Client SHOULD verify that its client_id is the Claim Value.',
    name: 'SHOULD refuse an ID token whose azp is another client',
    run: (context) =>
      expectSignInRefused(context, 'wrong-azp', 'an ID token with azp of another client'),
  }),
  scenario({
    id: 'idt-09',
    group: G,
    spec: `${CORE} step 9`,
    words:
      'The current time MUST be before the time represented by the exp Claim (possibly allowing for some small leeway to account for clock skew).',
    name: 'MUST refuse an expired ID token',
    run: (context) =>
      expectSignInRefused(context, 'expired', 'an ID token that expired an hour ago'),
  }),
  scenario({
    id: 'idt-10',
    group: G,
    profile: 'ropkit',
    spec: `ropkit policy (${CORE} step 10)`,
    words:
      'OpenID Connect gives no level ("The iat Claim can be used to reject tokens that were issued too far away from the current time"); ropkit refuses an iat beyond the clock tolerance, as it does for access tokens',
    name: 'MUST refuse an ID token issued an hour in the future',
    run: (context) =>
      expectSignInRefused(context, 'issued-in-future', 'an ID token issued an hour from now'),
  }),
  scenario({
    id: 'idt-11',
    group: G,
    spec: 'OpenID Connect Core 1.0 section 2',
    words:
      'sub REQUIRED. Subject Identifier. (RFC 2119 section 1: "MUST", or the terms "REQUIRED" or "SHALL", mean that the definition is an absolute requirement)',
    name: 'MUST refuse an ID token without sub',
    run: (context) => expectSignInRefused(context, 'missing-sub', 'an ID token without sub'),
  }),
  scenario({
    id: 'idt-12',
    group: G,
    spec: 'OpenID Connect Core 1.0 section 12.2',
    words:
      'If an ID Token is returned as a result of a token refresh request, the following requirements apply: its iss Claim Value MUST be the same as in the ID Token issued when the original authentication occurred, its sub Claim Value MUST be the same as in the ID Token issued when the original authentication occurred',
    name: 'MUST NOT let a refresh whose ID token names another user continue the session',
    requires: ['login', 'lifecycle'],
    run: async (context) => {
      const browser = await signedInSession(context.http);
      const tokensBefore = context.downstream.received.length;
      await pause(PAST_EXPIRY_MS);
      await spoilNextIdToken(context, 'other-sub');
      const after = 'once the token expired, the refresh answered with an ID token of another sub';
      const first = await browser.send('/call-api');
      const second = await browser.send('/call-api');
      const served = [first, second].filter((answer) => answer.status === 200).length;
      check(
        served === 0,
        `GET /call-api twice ${after}`,
        'no API call served with the refreshed tokens (the session must sign in again)',
        `${served} call(s) answered 200 (first ${first.status}, then ${second.status})`,
      );
      const relayed = context.downstream.received.length - tokensBefore;
      check(
        relayed === 0,
        `GET /call-api twice ${after}`,
        'no token of the refresh sent to the API',
        `${relayed} request(s) reached the API`,
      );
    },
  }),
];
