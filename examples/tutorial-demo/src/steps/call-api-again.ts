import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { expectThat, type DemoStep } from '../step.ts';

/** "Call API" once more, now with the access token from "Refresh tokens". */
export const callApiAgain: DemoStep = {
  id: 'call-api-again',
  title: 'Call API again with the refreshed token',
  section: 'tutorial',
  needs: ['refresh-tokens'],
  async run(context, log) {
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key: context.sessionKey });
    const token = await context.manager.getAccessToken(context.sessionKey);
    for (const path of ['/api/private', '/api/private-scoped']) {
      const answer = await callApi(context, log, path, apiFetch, token);
      expectThat(answer.status === 200, `${path} answered ${answer.status} to the refreshed token`);
    }
  },
};
