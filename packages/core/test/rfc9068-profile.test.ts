import { describe, expect, it } from 'vitest';
import { rejection, useJwksFixture } from './support/fixture.js';

const f = useJwksFixture();

const rfc9068Claims = { client_id: 'client-1', jti: 'token-1', azp: undefined, gty: undefined };

describe('RFC 9068 section 4: typ at+jwt', () => {
  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT'])('accepts typ %s', async (typ) => {
    const token = await f.sign({ header: { typ }, claims: rfc9068Claims });
    const verified = await f.verifier({ tokenProfile: 'rfc9068' }).verify(token);
    expect(verified.payload.client_id).toBe('client-1');
  });

  it('rejects typ JWT (an ID token, for example)', async () => {
    const token = await f.sign({ claims: rfc9068Claims });
    expect(
      (await rejection(f.verifier({ tokenProfile: 'rfc9068' }).verify(token))).description,
    ).toBe('Token type is not allowed');
  });
});

describe('RFC 9068 section 2.2: required claims', () => {
  it.each(['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'])(
    'rejects a token without %s',
    async (claim) => {
      const token = await f.sign({
        header: { typ: 'at+jwt' },
        claims: { ...rfc9068Claims, [claim]: undefined },
      });
      const error = await rejection(f.verifier({ tokenProfile: 'rfc9068' }).verify(token));
      expect(error.description).toBe(`Token claim '${claim}' is missing`);
    },
  );

  it('rejects a non-string client_id', async () => {
    const token = await f.sign({
      header: { typ: 'at+jwt' },
      claims: { ...rfc9068Claims, client_id: 7 },
    });
    expect(
      (await rejection(f.verifier({ tokenProfile: 'rfc9068' }).verify(token))).description,
    ).toBe("Token claim 'client_id' is malformed");
  });
});
