import { createAuthorizedFetch } from '@ropkit/core';
import { decodeClaims } from '../claims.ts';
import { callApi, subjectOf } from '../api-call.ts';
import { expectThat, type DemoStep } from '../step.ts';

/**
 * Tutorial step 3, "Call API": send the access token as a Bearer token in the Authorization header
 * (RFC 6750 section 2.1). Without it the API answers 401 with a `Bearer` challenge (section 3.1).
 */
export const callApiStep: DemoStep = {
  id: 'call-api',
  title: 'Call API',
  section: 'tutorial',
  needs: ['request-tokens'],
  async run(context, log) {
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key: context.sessionKey });
    const token = await context.manager.getAccessToken(context.sessionKey);

    const publicAnswer = await callApi(context, log, '/api/public', 'anonymous');
    expectThat(publicAnswer.status === 200, `/api/public answered ${publicAnswer.status}, not 200`);

    const anonymous = await callApi(context, log, '/api/private', 'anonymous');
    expectThat(
      anonymous.status === 401 && anonymous.wwwAuthenticate?.startsWith('Bearer') === true,
      `/api/private without a token answered ${anonymous.status}, not 401 with a Bearer challenge`,
    );

    const privateAnswer = await callApi(context, log, '/api/private', apiFetch, token);
    expectThat(
      privateAnswer.status === 200,
      `/api/private with the token answered ${privateAnswer.status}`,
    );
    expectThat(
      subjectOf(privateAnswer.body) === decodeClaims(token).sub,
      "/api/private did not answer the token's subject",
    );

    const scoped = await callApi(context, log, '/api/private-scoped', apiFetch, token);
    expectThat(
      scoped.status === 200,
      `/api/private-scoped (needs ${context.requiredScope}) answered ${scoped.status}`,
    );
  },
};
