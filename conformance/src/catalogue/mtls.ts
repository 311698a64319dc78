import { challengeOf, check, describeAnswer, expectStatus, type Exchange } from '../check.js';
import {
  CLIENT_CERTIFICATES,
  certificateThumbprint,
  forwardedCertificate,
} from '../client-certificate.js';
import type { Answer, ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import type { KitMtlsOptions, TestAppOptions } from '../test-app.js';
import { scenario } from './define.js';

const G = 'Certificate-bound tokens (RFC 8705)' as const;
const PRIVATE = '/api/private';

/**
 * The mTLS settings of the apps the certificate-bound scenarios start: the header a
 * TLS-terminating proxy forwards the client certificate in, RFC 9440's `Client-Cert`.
 */
export const KIT_MTLS: Readonly<KitMtlsOptions> = Object.freeze({
  certificateHeader: 'Client-Cert',
});

/** The options with certificate-bound tokens read from {@link KIT_MTLS}'s header. */
function withMtls(options: TestAppOptions): TestAppOptions {
  return { ...options, verifier: { ...options.verifier, mtls: { ...KIT_MTLS } } };
}

/** An app started with `mtls`, and a token bound to certificate `a`. */
interface MtlsSetup {
  http: ConformanceHttp;
  /** An access token whose `cnf["x5t#S256"]` is certificate `a`'s thumbprint. */
  bound: string;
  /** `GET /api/private` with `token` as Bearer and, when given, `certificate` in `Client-Cert`. */
  send(token: string, certificate?: string): Promise<Answer>;
  /** Fails unless the bound token with its certificate is served: the control of refusals. */
  expectServed(): Promise<void>;
}

async function startMtlsApp(context: ScenarioContext): Promise<MtlsSetup> {
  const { http } = await context.startApp(withMtls);
  const bound = await context.tokens.sign({
    claims: { cnf: { 'x5t#S256': certificateThumbprint(CLIENT_CERTIFICATES.a) } },
  });
  const send = (token: string, certificate?: string) =>
    http.request(PRIVATE, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(certificate === undefined ? {} : { [KIT_MTLS.certificateHeader]: certificate }),
      },
    });
  return {
    http,
    bound,
    send,
    expectServed: async () => {
      expectStatus(
        await send(bound, forwardedCertificate(CLIENT_CERTIFICATES.a)),
        200,
        `with a token bound to certificate client-a and client-a in ${KIT_MTLS.certificateHeader} (the control)`,
        '200 (the token and its certificate accepted)',
      );
    },
  };
}

/** Fails unless the answer is 401 with `error="invalid_token"` on its Bearer challenge. */
function expectInvalidToken(answer: Exchange, what: string): void {
  const error = challengeOf(answer.wwwAuthenticate, 'Bearer')?.params.get('error');
  check(
    answer.status === 401 && error === 'invalid_token',
    `${answer.request} ${what}`,
    '401 with error="invalid_token" on the Bearer challenge',
    () => describeAnswer(answer),
  );
}

const SECTION_3 =
  '"The protected resource MUST obtain the client certificate used for mutual TLS authentication and MUST verify that the certificate matches the certificate associated with the access token. If they do not match, the resource access attempt MUST be rejected with an error, per [RFC6750], using an HTTP 401 status code and the \\"invalid_token\\" error code"';

/**
 * RFC 8705 section 3 behind a TLS-terminating proxy: the app is given
 * `mtls: { certificateHeader: 'Client-Cert' }` and the kit, playing the proxy, forwards the client
 * certificate there (RFC 9440 section 2, `:<base64 DER>:`). A token whose `cnf["x5t#S256"]` names
 * a certificate is served with that certificate only; an unbound token as before. Every refusal
 * first has the bound token with its certificate served.
 */
export const mtls = [
  scenario({
    id: 'mtls-01',
    group: G,
    spec: 'RFC 8705 section 3',
    words: `${SECTION_3} (a token whose certificate is presented is served, every time: the other side of every refusal)`,
    name: 'MUST accept a certificate-bound token with its client certificate',
    uses: ['verifier.mtls.certificateHeader'],
    run: async (context) => {
      const app = await startMtlsApp(context);
      for (const which of ['once', 'again']) {
        expectStatus(
          await app.send(app.bound, forwardedCertificate(CLIENT_CERTIFICATES.a)),
          200,
          `with a token bound to certificate client-a and client-a in ${KIT_MTLS.certificateHeader} (${which})`,
          '200 (the token and its certificate accepted)',
        );
      }
    },
  }),
  scenario({
    id: 'mtls-02',
    group: G,
    spec: 'RFC 8705 section 3',
    words: `${SECTION_3} (no certificate matches none)`,
    name: 'MUST refuse a certificate-bound token without a client certificate, 401 invalid_token',
    uses: ['verifier.mtls.certificateHeader'],
    run: async (context) => {
      const app = await startMtlsApp(context);
      await app.expectServed();
      expectInvalidToken(
        await app.send(app.bound),
        'with a token bound to certificate client-a and no certificate',
      );
      expectInvalidToken(
        await app.send(app.bound, ':bm90IGEgY2VydGlmaWNhdGU=:'),
        `with a token bound to certificate client-a and a ${KIT_MTLS.certificateHeader} that holds no certificate`,
      );
    },
  }),
  scenario({
    id: 'mtls-03',
    group: G,
    spec: 'RFC 8705 section 3',
    words: SECTION_3,
    name: 'MUST refuse a certificate-bound token with another client certificate, 401 invalid_token',
    uses: ['verifier.mtls.certificateHeader'],
    run: async (context) => {
      const app = await startMtlsApp(context);
      await app.expectServed();
      expectInvalidToken(
        await app.send(app.bound, forwardedCertificate(CLIENT_CERTIFICATES.b)),
        `with a token bound to certificate client-a and client-b in ${KIT_MTLS.certificateHeader}`,
      );
    },
  }),
  scenario({
    id: 'mtls-04',
    group: G,
    spec: 'RFC 6749 section 7 / RFC 8705 section 3',
    words:
      '"The resource server MUST validate the access token and ensure that it has not expired and that its scope covers the requested resource" (RFC 6749 section 7); RFC 8705 section 3 binds only the tokens whose cnf names a certificate ("x5t#S256"), so an unbound token is valid with or without one',
    name: 'MUST accept a token that is not certificate-bound, with or without a client certificate',
    uses: ['verifier.mtls.certificateHeader'],
    run: async (context) => {
      const app = await startMtlsApp(context);
      const unbound = await context.tokens.sign();
      expectStatus(
        await app.send(unbound),
        200,
        'with a token without cnf and no certificate',
        '200 (the token accepted)',
      );
      expectStatus(
        await app.send(unbound, forwardedCertificate(CLIENT_CERTIFICATES.b)),
        200,
        `with a token without cnf and client-b in ${KIT_MTLS.certificateHeader}`,
        '200 (the token accepted)',
      );
    },
  }),
  scenario({
    id: 'mtls-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9440 section 2; nginx $ssl_client_escaped_cert)',
    words:
      "RFC 9440's Client-Cert is a byte sequence (:<base64 DER>:); proxies that predate it, such as nginx with $ssl_client_escaped_cert, forward a URL-encoded PEM, which ropkit reads in the same header",
    name: 'MUST read the client certificate forwarded as a URL-encoded PEM too',
    uses: ['verifier.mtls.certificateHeader'],
    run: async (context) => {
      const app = await startMtlsApp(context);
      const pem = forwardedCertificate(CLIENT_CERTIFICATES.a, 'url-encoded-pem');
      expectStatus(
        await app.send(app.bound, pem),
        200,
        `with a token bound to certificate client-a and client-a as a URL-encoded PEM in ${KIT_MTLS.certificateHeader}`,
        '200 (the token and its certificate accepted)',
      );
      expectInvalidToken(
        await app.send(app.bound, forwardedCertificate(CLIENT_CERTIFICATES.b, 'url-encoded-pem')),
        `with a token bound to certificate client-a and client-b as a URL-encoded PEM in ${KIT_MTLS.certificateHeader}`,
      );
    },
  }),
];
