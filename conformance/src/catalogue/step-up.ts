import { challengeOf, check, describeAnswer, expectRefused, type Exchange } from '../check.js';
import type { ScenarioContext } from '../scenario.js';
import { KIT_STEP_UP } from '../test-app.js';
import { TokenFactory } from '../token-factory.js';
import { expectTokenServed, scenario } from './define.js';

const G = 'Step-up (RFC 9470)' as const;
const STEP_UP = '/api/step-up';
const RECENT = '/api/recent';
/** An acr the routes do not accept: InCommon's bronze assurance (a password). */
const OTHER_ACR = 'urn:mace:incommon:iap:bronze';

const now = () => TokenFactory.now();

/** One token the route refuses, with what it carries. */
interface Refused {
  path: string;
  token: string;
  what: string;
}

/** Tokens `GET /api/step-up` refuses: without an `acr`, and with another one. */
async function withoutTheAcr({ tokens }: ScenarioContext): Promise<Refused[]> {
  return [
    {
      path: STEP_UP,
      token: await tokens.sign({ claims: { auth_time: now() } }),
      what: 'a token without acr',
    },
    {
      path: STEP_UP,
      token: await tokens.sign({ claims: { acr: OTHER_ACR, auth_time: now() } }),
      what: `a token whose acr is ${OTHER_ACR}`,
    },
  ];
}

/** Tokens `GET /api/recent` refuses: an `auth_time` too old, and none. */
async function notRecent({ tokens }: ScenarioContext): Promise<Refused[]> {
  const old = KIT_STEP_UP.maxAge * 2;
  return [
    {
      path: RECENT,
      token: await tokens.sign({ claims: { acr: KIT_STEP_UP.acr, auth_time: now() - old } }),
      what: `a token whose auth_time is ${old} s old (the route allows ${KIT_STEP_UP.maxAge})`,
    },
    {
      path: RECENT,
      token: await tokens.sign({ claims: { acr: KIT_STEP_UP.acr, auth_time: undefined } }),
      what: 'a token without auth_time',
    },
  ];
}

/** `acr` with a recent `auth_time`: served on both routes (the control of every refusal). */
async function expectStepUpServed(context: ScenarioContext, path: string): Promise<void> {
  await expectTokenServed(
    context.http,
    await context.tokens.sign({ claims: { acr: KIT_STEP_UP.acr, auth_time: now() - 60 } }),
    `a token whose acr is ${KIT_STEP_UP.acr} and auth_time 60 s old (the control)`,
    path,
  );
}

/** The Bearer challenge's auth-param `name`, or `undefined`. */
function paramOfBearer(answer: Exchange, name: string): string | undefined {
  return challengeOf(answer.wwwAuthenticate, 'Bearer')?.params.get(name);
}

const SECTION_3_ERROR =
  '"If the protected resource request included an access token and failed authentication, the resource server SHOULD include the \\"error\\" attribute to provide the client with the reason why the access request was declined" (RFC 6750 section 3); RFC 9470 section 3 defines that reason: "insufficient_user_authentication: The authentication event associated with the access token presented with the request does not meet the authentication requirements of the protected resource", answered 401';

const PARAMS =
  'RFC 9470 section 3 defines the WWW-Authenticate auth-params acr_values and max_age "to convey the authentication requirements back to the client", and "The auth-params max_age and acr_values MAY both occur in the same challenge"';

/**
 * RFC 9470 at the API: `GET /api/step-up` requires the `acr` of the OpenID PAPE multi-factor
 * policy, `GET /api/recent` an `auth_time` at most 300 s old (`KIT_STEP_UP`). How a resource
 * server decides is out of the RFC's scope (section 3: "the logic ... is out of scope for this
 * document"), so enforcing the route's requirement is the test-app contract (`ropkit` profile);
 * the answer is the RFC's: 401 `insufficient_user_authentication`, with `acr_values` or `max_age`.
 * The routes are the default app's: these scenarios start no app of their own.
 */
export const stepUp = [
  scenario({
    id: 'stepup-01',
    group: G,
    spec: 'RFC 6749 section 7 / RFC 9470 section 6.1',
    words:
      '"The resource server MUST validate the access token and ensure that it has not expired and that its scope covers the requested resource" (RFC 6749 section 7); "the auth_time and acr claims ... are used to convey the time and context of the user authentication event" (RFC 9470 section 6.1): a token meeting the route\'s requirement is served, the other side of every refusal',
    name: 'MUST accept a token whose acr and auth_time meet the route requirement',
    run: async (context) => {
      await expectStepUpServed(context, STEP_UP);
      await expectStepUpServed(context, RECENT);
      await expectTokenServed(
        context.http,
        await context.tokens.sign({ claims: { auth_time: now() - 60 } }),
        'a token without acr whose auth_time is 60 s old',
        RECENT,
      );
    },
  }),
  scenario({
    id: 'stepup-02',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit test-app contract (RFC 9470 section 3)',
    words: `RFC 9470 section 3 leaves how a resource server decides out of scope ("the logic through which the resource server determines that the current request does not meet the authentication requirements ... is out of scope for this document"); ${STEP_UP} requires acr ${KIT_STEP_UP.acr}, so a token without it is refused`,
    name: 'MUST refuse a token without the acr the route requires',
    run: async (context) => {
      await expectStepUpServed(context, STEP_UP);
      for (const { path, token, what } of await withoutTheAcr(context)) {
        expectRefused(
          await context.http.bearer(path, token),
          `with ${what} (the route requires acr ${KIT_STEP_UP.acr})`,
        );
      }
    },
  }),
  scenario({
    id: 'stepup-03',
    group: G,
    spec: 'RFC 6750 section 3 / RFC 9470 section 3',
    words: SECTION_3_ERROR,
    name: 'SHOULD answer 401 with error="insufficient_user_authentication" when the authentication does not meet the route requirement',
    run: async (context) => {
      await expectStepUpServed(context, STEP_UP);
      for (const { path, token, what } of [
        ...(await withoutTheAcr(context)),
        ...(await notRecent(context)),
      ]) {
        const answer = await context.http.bearer(path, token);
        check(
          answer.status === 401 &&
            paramOfBearer(answer, 'error') === 'insufficient_user_authentication',
          `${answer.request} with ${what}`,
          '401 with error="insufficient_user_authentication" on the Bearer challenge',
          () => describeAnswer(answer),
        );
      }
    },
  }),
  scenario({
    id: 'stepup-04',
    group: G,
    spec: 'RFC 9470 section 3',
    words: `${PARAMS}; acr_values: "A space-separated string listing the authentication context class reference values, in order of preference, one of which the protected resource requires"`,
    name: `MAY name the acr the route requires in the challenge (acr_values="${KIT_STEP_UP.acr}")`,
    run: async (context) => {
      await expectStepUpServed(context, STEP_UP);
      for (const { path, token, what } of await withoutTheAcr(context)) {
        const answer = await context.http.bearer(path, token);
        check(
          answer.status === 401 && paramOfBearer(answer, 'acr_values') === KIT_STEP_UP.acr,
          `${answer.request} with ${what}`,
          `401 with acr_values="${KIT_STEP_UP.acr}" on the Bearer challenge`,
          () => describeAnswer(answer),
        );
      }
    },
  }),
  scenario({
    id: 'stepup-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit test-app contract (RFC 9470 sections 3 and 6.1)',
    words: `RFC 9470 section 3 leaves how a resource server decides out of scope; ${RECENT} requires an authentication at most ${KIT_STEP_UP.maxAge} s old, so a token whose auth_time is older, or that has none to show its age, is refused`,
    name: 'MUST refuse a token whose auth_time is older than the route allows, or missing',
    run: async (context) => {
      await expectStepUpServed(context, RECENT);
      for (const { path, token, what } of await notRecent(context)) {
        expectRefused(await context.http.bearer(path, token), `with ${what}`);
      }
    },
  }),
  scenario({
    id: 'stepup-06',
    group: G,
    spec: 'RFC 9470 section 3',
    words: `${PARAMS}; max_age: "Indicates the allowable elapsed time in seconds since the last active authentication event associated with the access token"`,
    name: `MAY name the age the route allows in the challenge (max_age="${KIT_STEP_UP.maxAge}")`,
    run: async (context) => {
      await expectStepUpServed(context, RECENT);
      for (const { path, token, what } of await notRecent(context)) {
        const answer = await context.http.bearer(path, token);
        const maxAge = paramOfBearer(answer, 'max_age');
        check(
          answer.status === 401 && maxAge === String(KIT_STEP_UP.maxAge),
          `${answer.request} with ${what}`,
          `401 with max_age="${KIT_STEP_UP.maxAge}" (or max_age=${KIT_STEP_UP.maxAge}) on the Bearer challenge`,
          () => describeAnswer(answer),
        );
      }
    },
  }),
];
