import { describe, expect, it } from 'vitest';
import { walkthrough } from '../src/walkthrough.ts';

describe('the validate-token example', () => {
  it('answers every call as RFC 6750 says', async () => {
    const steps = await walkthrough();
    expect(steps.map((step) => [step.title, step.status])).toEqual(
      steps.map((step) => [step.title, step.expectedStatus]),
    );
    const byTitle = new Map(steps.map((step) => [step.title, step]));
    expect(byTitle.get('private route, no token')?.wwwAuthenticate).toBe('Bearer realm="api"');
    expect(byTitle.get('scoped route, token without read:sample')?.wwwAuthenticate).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="read:sample"',
    );
    expect(byTitle.get('private route, tampered token')?.body).toBe(
      '{"error":"invalid_token","error_description":"Token signature is invalid"}',
    );
  });
});
