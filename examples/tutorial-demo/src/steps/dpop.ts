import {
  createAuthorizedFetch,
  DpopProofSigner,
  TokenManager,
  type DpopHandle,
} from '@ropkit/core';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { errorOf, requestApi, subjectOf, type ApiAnswer } from '../api-call.ts';
import { decodeClaims, decodeHeader } from '../claims.ts';
import { isConfigured, type DemoContext } from '../demo-context.ts';
import { ACCESS_TOKEN_DECODED } from '../identity.ts';
import { shortenToken } from '../mask.ts';
import { signIn } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';
import type { StepLog } from '../step-log.ts';

/** The route the step calls: it needs a token, any scope. */
const PATH = '/api/private';

/**
 * Optional, "Sender-constrained tokens": the application proves possession of a key on its token
 * request (RFC 9449 section 5), Auth0 binds the access token to it (`token_type` `DPoP`,
 * `cnf.jkt`: section 6.1), and the API, whose verifier allows DPoP, takes the token only as
 * `Authorization: DPoP` with a new proof of that key (section 7). The same token as a Bearer
 * token, without a proof, with a replayed proof or with a proof of another key is refused: a
 * stolen token is useless without the key.
 */
export const senderConstrainedTokens: DemoStep = {
  id: 'dpop',
  title: 'Sender-constrained tokens (DPoP, RFC 9449)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.dpop)) throw new StepSkipped(context.dpop.notConfigured);
    const { client } = context.dpop;
    const key = client.dpop;
    expectThat(key !== undefined, 'the DPoP client has no key: create it with the dpop option');
    log.fields("the application's DPoP key (TokenClient option dpop: true: made in memory)", [
      ['alg', key.alg],
      ['thumbprint', `${key.thumbprint} (RFC 7638: what a bound token's cnf.jkt names)`],
    ]);

    // Its own token manager: the tutorial's client, without dpop, keeps getting Bearer tokens.
    const manager = new TokenManager({ client });
    try {
      const dpopContext: DemoContext = { ...context, tokenClient: client, manager };
      const sessionKey = `${context.sessionKey}:dpop`;
      const tokens = await signIn(dpopContext, log, sessionKey, context.user, 'full');
      expectThat(
        tokens.tokenType === 'DPoP',
        `the token endpoint answered token_type ${tokens.tokenType}, not DPoP: allow "Token Sender-Constraining" on the API`,
      );
      const token = tokens.accessToken;
      const claims = decodeClaims(token);
      log.claimSet(`access token claims (${ACCESS_TOKEN_DECODED})`, { cnf: claims['cnf'] });
      expectThat(
        jktOf(claims['cnf']) === key.thumbprint,
        "the access token's cnf.jkt is not the thumbprint of the application's key",
      );
      log.line("cnf.jkt is the thumbprint of the application's key: the token is bound to it");
      const shown = shortenToken(token);
      const withProof = (proof: string) => (url: string) =>
        fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });

      const apiFetch = createAuthorizedFetch({ manager, key: sessionKey });
      const bound = await requestApi(
        context,
        log,
        PATH,
        `Authorization: DPoP ${shown}  DPoP: (a new proof, made by createAuthorizedFetch)`,
        (url) => apiFetch(url),
      );
      expectThat(
        bound.status === 200,
        `${PATH} answered ${bound.status} to the token and its proof`,
      );
      expectThat(
        subjectOf(bound.body) === claims.sub,
        `${PATH} did not answer the token's subject`,
      );

      log.line('the same token as a Bearer token, as anyone who copied it would send it:');
      const asBearer = await requestApi(
        context,
        log,
        PATH,
        `Authorization: Bearer ${shown}`,
        (url) => fetch(url, { headers: { authorization: `Bearer ${token}` } }),
      );
      expectRefused(asBearer, token, 401, 'the DPoP-bound token sent as Bearer');

      const noProof = await requestApi(
        context,
        log,
        PATH,
        `Authorization: DPoP ${shown}  no DPoP header`,
        (url) => fetch(url, { headers: { authorization: `DPoP ${token}` } }),
      );
      expectRefused(noProof, token, [400, 401], 'the DPoP-bound token without a proof');

      const url = `${context.api.url}${PATH}`;
      const proof = key.proof('GET', url, token);
      await showProof(log, proof, key);
      const once = await requestApi(
        context,
        log,
        PATH,
        `Authorization: DPoP ${shown}  DPoP: ${shortenToken(proof)}`,
        withProof(proof),
      );
      expectThat(once.status === 200, `${PATH} answered ${once.status} to a new proof`);
      const replayed = await requestApi(
        context,
        log,
        PATH,
        `Authorization: DPoP ${shown}  DPoP: ${shortenToken(proof)} (the same proof again)`,
        withProof(proof),
      );
      expectRefused(replayed, token, 401, 'a replayed proof', 'invalid_dpop_proof');

      // Whoever copied the token has no key of the application's: a proof of their own key.
      const thief = new DpopProofSigner().proof({ method: 'GET', url, accessToken: token });
      const otherKey = await requestApi(
        context,
        log,
        PATH,
        `Authorization: DPoP ${shown}  DPoP: ${shortenToken(thief)} (a proof of another key)`,
        withProof(thief),
      );
      expectRefused(otherKey, token, 401, 'a proof of another key');
    } finally {
      manager.close();
    }
  },
};

/** `cnf.jkt` (RFC 9449 section 6.1), if the confirmation claim has one. */
function jktOf(cnf: unknown): unknown {
  return typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
}

/**
 * Fails the step unless `answer` refused the request with `status` (one of them) and, when
 * given, the error code `error`, with a challenge that does not quote the token.
 */
function expectRefused(
  answer: ApiAnswer,
  token: string,
  status: number | readonly number[],
  what: string,
  error?: string,
): void {
  const statuses = typeof status === 'number' ? [status] : status;
  expectThat(
    statuses.includes(answer.status),
    `the API answered ${answer.status} to ${what}, not ${statuses.join(' or ')}`,
  );
  if (error !== undefined) {
    expectThat(
      errorOf(answer.body) === error,
      `the API refused ${what} with ${String(errorOf(answer.body))}, not ${error}`,
    );
  }
  expectThat(answer.wwwAuthenticate !== null, `the API refused ${what} without a challenge`);
  expectThat(!answer.wwwAuthenticate.includes(token), `the challenge to ${what} quotes the token`);
}

/**
 * Shows a proof made with `client.dpop.proof` decoded (RFC 9449 section 4.2): it carries the
 * public key only, and says which request it is for and which token goes with it (`ath`).
 */
async function showProof(log: StepLog, proof: string, key: DpopHandle): Promise<void> {
  const header = decodeHeader(proof);
  const jwk: JWK = header.jwk ?? {};
  const thumbprint = await calculateJwkThumbprint(jwk);
  expectThat(thumbprint === key.thumbprint, "the proof's jwk is not the application's key");
  expectThat(!('d' in jwk), "the proof's jwk has a private member");
  const claims = decodeClaims(proof);
  log.claimSet(`a proof made with client.dpop.proof('GET', url, token) (decoded)`, {
    typ: header.typ,
    alg: header.alg,
    jwk: `${[jwk.kty, jwk.crv].filter(Boolean).join(' ')} public key, thumbprint ${thumbprint}`,
    ...claims,
    ath: `${String(claims['ath'])} (the access token's SHA-256)`,
  });
}
