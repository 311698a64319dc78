import fc from 'fast-check';
import {
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BearerError,
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AsymmetricAlgorithm,
} from '../src/index.js';
import { TOKEN_PROFILES } from '../src/validation/token-profile.js';
import { referenceVerify, type ReferenceOptions, type Verdict } from './support/jose-reference.js';
import { JwksServer } from './support/jwks-server.js';

/**
 * Differential test (issue 14): the `node:crypto` fast path against `jose.jwtVerify` with the same
 * options (plus the rules ropkit adds on top, restated in support/jose-reference.ts), over
 * generated tokens and mutations of them. Every case must reach the same verdict, and the same
 * description for a refusal, except where one side is known to be wrong: those cases are
 * classified and asserted below, with the side that is wrong named.
 */

const NOW_MS = 1_750_000_000_500; // half a second past a whole second: jose floors `now`
const NOW = Math.floor(NOW_MS / 1000);
const AUDIENCE = 'https://api.example.com';
const ALGORITHMS: AsymmetricAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const RUNS = Number(process.env['DIFFERENTIAL_RUNS'] ?? 3000);

interface Signer {
  kid: string;
  alg: AsymmetricAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Keys published in the set: some with `alg`, some without (so alg swaps reach the key). */
const KEY_PLAN: Array<[kid: string, alg: AsymmetricAlgorithm, publishAlg: boolean]> = [
  ['rs256', 'RS256', true],
  ['rsa', 'RS256', false],
  ['ps256', 'PS256', true],
  ['rs512', 'RS512', true],
  ['es256', 'ES256', false],
  ['es384', 'ES384', true],
  ['es512', 'ES512', true],
  ['ed', 'EdDSA', true],
  ['ed25519', 'Ed25519', false],
];

let server: JwksServer;
let signers: Signer[];
let issuer: string;
let plain: AccessTokenVerifier;
let cached: AccessTokenVerifier;
let reference: ReferenceOptions;

beforeAll(async () => {
  server = await JwksServer.start();
  issuer = server.issuer;
  signers = await Promise.all(
    KEY_PLAN.map(async ([kid, alg, publishAlg]) => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(publicKey);
      return {
        kid,
        alg,
        privateKey,
        publicJwk: { ...jwk, kid, use: 'sig', ...(publishAlg ? { alg } : {}) },
      };
    }),
  );
  server.keys = signers.map((signer) => signer.publicJwk);
  const options = {
    issuer,
    audience: AUDIENCE,
    jwksUri: server.jwksUri,
    algorithms: ALGORITHMS,
    clock: () => NOW_MS,
  };
  plain = createAccessTokenVerifier({ ...options, cache: false });
  cached = createAccessTokenVerifier(options);
  const profile = TOKEN_PROFILES.auth0;
  reference = {
    issuer,
    audience: [AUDIENCE],
    algorithms: ALGORITHMS,
    clockTolerance: 5,
    maxTokenSize: 8192,
    maxTokenLifetime: 2_592_000,
    nowMs: NOW_MS,
    keys: server.keys,
    profile: {
      typ: profile.typ,
      requiredClaims: [...profile.requiredClaims],
      stringClaims: [...profile.stringClaims],
    },
  };
});
afterAll(async () => {
  await server.close();
});

async function verdictOf(promise: Promise<{ header: object; payload: object }>): Promise<Verdict> {
  try {
    const { header, payload } = await promise;
    return { ok: true, header: { ...header }, payload: { ...payload } };
  } catch (error) {
    if (!(error instanceof BearerError)) throw error;
    return { ok: false, status: error.status, description: error.description };
  }
}

// ---------------------------------------------------------------------------------------------
// Token construction: JSON texts built member by member (so members can repeat and numbers can be
// any literal), encoded to bytes (a BOM, invalid UTF-8), signed with WebCrypto (as jose signs).

type Members = Array<[name: string, json: string]>;
type Encoding =
  'json' | 'bom' | 'spaced' | 'array' | 'invalid-utf8' | 'lone-surrogate' | 'not-json';

function jsonText(members: Members, encoding: Encoding): Buffer {
  const separator = encoding === 'spaced' ? ' , ' : ',';
  const body = members.map(([name, json]) => `${JSON.stringify(name)}:${json}`).join(separator);
  switch (encoding) {
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{${body}}`)]);
    case 'spaced':
      return Buffer.from(`\n { ${body} }\t`);
    case 'array':
      return Buffer.from(`[{${body}}]`);
    case 'invalid-utf8':
    case 'lone-surrogate': {
      const bad = encoding === 'invalid-utf8' ? [0xc3, 0x28] : [0xed, 0xa0, 0x80];
      return Buffer.concat([
        Buffer.from(`{${body}${body === '' ? '' : ','}"x":"`),
        Buffer.from(bad),
        Buffer.from('"}'),
      ]);
    }
    case 'not-json':
      return Buffer.from(`{${body}`);
    default:
      return Buffer.from(`{${body}}`);
  }
}

const HASH_BYTES: Record<string, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const CURVE_HASH: Record<string, string> = {
  'P-256': 'SHA-256',
  'P-384': 'SHA-384',
  'P-521': 'SHA-512',
};

type SignatureVariant = 'right' | 'pss-salt-20' | 'ecdsa-der';

async function signWith(signer: Signer, input: string, variant: SignatureVariant): Promise<Buffer> {
  const algorithm = signer.privateKey.algorithm as {
    name: string;
    hash?: { name: string };
    namedCurve?: string;
  };
  const data = Buffer.from(input);
  let params: { name: string; saltLength?: number; hash?: string } = { name: algorithm.name };
  if (algorithm.name === 'RSA-PSS') {
    const hashBytes = HASH_BYTES[algorithm.hash?.name ?? ''] ?? 32;
    params = { name: 'RSA-PSS', saltLength: variant === 'pss-salt-20' ? 20 : hashBytes };
  } else if (algorithm.name === 'ECDSA') {
    params = { name: 'ECDSA', hash: CURVE_HASH[algorithm.namedCurve ?? ''] ?? 'SHA-256' };
  }
  const signature = Buffer.from(await crypto.subtle.sign(params, signer.privateKey, data));
  return algorithm.name === 'ECDSA' && variant === 'ecdsa-der' ? toDer(signature) : signature;
}

/** An unsigned big-endian integer as ASN.1 DER. */
function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let value = bytes.subarray(start);
  if ((value[0] ?? 0) & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return Buffer.concat([Buffer.from([0x02, value.length]), value]);
}

/** R || S to ASN.1 DER (what some JWT libraries wrongly emit for ES*). */
function toDer(p1363: Buffer): Buffer {
  const half = p1363.length / 2;
  const body = Buffer.concat([
    derInteger(p1363.subarray(0, half)),
    derInteger(p1363.subarray(half)),
  ]);
  const length = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'replace-char'; segment: 0 | 1 | 2; at: number; with: string }
  | { kind: 'truncate-signature'; by: number }
  | { kind: 'append'; text: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'stray-bits'; segment: 0 | 1 | 2 }
  | { kind: 'drop-signature' }
  | { kind: 'swap-signature' };

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function mutate(token: string, mutation: Mutation, other: string): string {
  const parts = token.split('.');
  switch (mutation.kind) {
    case 'none':
      return token;
    case 'replace-char': {
      const segment = parts[mutation.segment] ?? '';
      const at = mutation.at % Math.max(segment.length, 1);
      parts[mutation.segment] = segment.slice(0, at) + mutation.with + segment.slice(at + 1);
      return parts.join('.');
    }
    case 'truncate-signature':
      return token.slice(0, Math.max(token.lastIndexOf('.') + 1, token.length - mutation.by));
    case 'append':
      return token + mutation.text;
    case 'insert': {
      const at = mutation.at % token.length;
      return token.slice(0, at) + mutation.text + token.slice(at);
    }
    case 'stray-bits': {
      // Set low bits the last character of a segment should have clear: same bytes, new spelling.
      const segment = parts[mutation.segment] ?? '';
      const last = B64URL.indexOf(segment.at(-1) ?? 'A');
      const spare = segment.length % 4 === 2 ? 0b1111 : segment.length % 4 === 3 ? 0b11 : 0;
      if (spare === 0) return token;
      parts[mutation.segment] = segment.slice(0, -1) + (B64URL[last | spare] ?? 'A');
      return parts.join('.');
    }
    case 'drop-signature':
      return `${parts[0]}.${parts[1]}.`;
    default:
      // swap-signature
      return `${parts[0]}.${parts[1]}.${other.split('.')[2] ?? ''}`;
  }
}

/** Canonical base64url, checked independently of the code under test: re-encoding gives it back. */
function isCanonical(token: string): boolean {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return true; // refused by both anyway
  return token
    .split('.')
    .every(
      (part) =>
        part.length % 4 === 1 || Buffer.from(part, 'base64url').toString('base64url') === part,
    );
}

/** A header with `crit` that is anything but `["b64"]` with `b64: true` (see below). */
function hasUnusualCrit(token: string): boolean {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url')
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
    return typeof header === 'object' && header !== null && 'crit' in header;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

const num = (offset: number) => String(NOW + offset);
/** `null` (weight `nullWeight`) or a value of `arb` (weight 1). */
function rarely<T>(arb: fc.Arbitrary<T>, nullWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: nullWeight },
    { arbitrary: arb, weight: 1 },
  );
}
const optional = (arb: fc.Arbitrary<string>, absentWeight = 1) =>
  fc.oneof({ arbitrary: arb, weight: 6 }, { arbitrary: fc.constant(''), weight: absentWeight });

const extraMembers: fc.Arbitrary<Members> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('__proto__', 'constructor', 'jti', 'permissions'),
    ),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
  ),
  { maxLength: 3 },
);

/** Claim values as JSON literals; `''` leaves the claim out. */
/** Claims that pass every rule (jose's and ropkit's), with random extra members. */
function validClaimsArbitrary(iss: string): fc.Arbitrary<Members> {
  return fc
    .record({
      iat: fc.integer({ min: -7200, max: 0 }),
      lifetime: fc.integer({ min: 7300, max: 86_400 }),
      aud: fc.constantFrom(JSON.stringify(AUDIENCE), `["other",${JSON.stringify(AUDIENCE)}]`),
      nbf: rarely(fc.integer({ min: -7200, max: 0 }), 3),
      scope: fc.constantFrom('"openid read:sample"', '""', ''),
      extra: extraMembers,
    })
    .map(({ iat, lifetime, aud, nbf, scope, extra }) => {
      const members: Members = [
        ['iss', JSON.stringify(iss)],
        ['sub', '"auth0|user"'],
        ['aud', aud],
        ['iat', num(iat)],
        ['exp', num(iat + lifetime)],
      ];
      if (nbf !== null) members.push(['nbf', num(nbf)]);
      if (scope !== '') members.push(['scope', scope]);
      return [...members, ...extra.filter(([name]) => !members.some(([known]) => known === name))];
    });
}

/** Claims of every kind, most of them refused by some rule. */
function claimsArbitrary(iss: string): fc.Arbitrary<Members> {
  const values = {
    iss: fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(iss)), weight: 12 },
      fc.constantFrom(
        JSON.stringify(iss.slice(0, -1)),
        '"other"',
        '5',
        'null',
        `[${JSON.stringify(iss)}]`,
      ),
    ),
    sub: optional(fc.constantFrom('"auth0|user"', '42', '""', 'null'), 1),
    aud: optional(
      fc.oneof(
        { arbitrary: fc.constant(JSON.stringify(AUDIENCE)), weight: 6 },
        { arbitrary: fc.constant(`["other",${JSON.stringify(AUDIENCE)}]`), weight: 3 },
        fc.constantFrom('"other"', '["other"]', '5', `[5,${JSON.stringify(AUDIENCE)}]`, '{}', '[]'),
      ),
    ),
    iat: optional(
      fc.oneof(
        { arbitrary: fc.integer({ min: -7200, max: 2 }).map(num), weight: 8 },
        fc.constantFrom(
          num(5),
          num(6),
          `${NOW + 5}.4`,
          `${NOW + 5}.6`,
          `${NOW}.9`,
          '"123"',
          '1e400',
          '-1e400',
          '-0',
          'null',
          num(-3_000_000),
        ),
      ),
      1,
    ),
    exp: optional(
      fc.oneof(
        { arbitrary: fc.integer({ min: 60, max: 86_400 }).map(num), weight: 8 },
        fc.integer({ min: -20, max: 20 }).map(num),
        fc.constantFrom(
          `${NOW - 5}.2`,
          `${NOW - 4}.7`,
          '"x"',
          '1e400',
          '-1e400',
          'null',
          num(2_600_000),
          '1e20',
        ),
      ),
      1,
    ),
    nbf: optional(
      fc.oneof(
        fc.integer({ min: -20, max: 20 }).map(num),
        fc.constantFrom(`${NOW + 5}.4`, `${NOW + 5}.9`, '"x"', '1e400', '-1e400', 'null', 'true'),
      ),
      8,
    ),
    scope: optional(fc.constantFrom('"openid read:sample"', '["read"]', '5', '""'), 2),
    azp: optional(fc.constantFrom('"client"', '1'), 2),
    gty: optional(fc.constantFrom('"password"', 'false'), 3),
  };
  return fc
    .tuple(
      fc.record(values),
      extraMembers,
      rarely(fc.constantFrom('iss', 'aud', 'exp', 'iat', 'sub'), 8),
      fc.constantFrom('2', '"x"', 'null', num(-100)),
      rarely(fc.integer({ min: 8000, max: 9000 }), 30),
    )
    .map(([record, extra, duplicate, duplicateValue, filler]) => {
      const members: Members = Object.entries(record).filter(([, json]) => json !== '');
      members.push(...extra);
      // A member repeated: JSON.parse keeps the last, in both.
      if (duplicate !== null) members.push([duplicate, duplicateValue]);
      if (filler !== null) members.push(['filler', JSON.stringify('x'.repeat(filler))]);
      return members;
    });
}

interface Case {
  signer: number;
  alg: string | null;
  kid: string | null;
  typ: string | null;
  crit: string | null;
  extraHeader: Members;
  claims: Members;
  headerEncoding: Encoding;
  payloadEncoding: Encoding;
  signature: SignatureVariant;
  mutation: Mutation;
}

const encodingArb = fc.oneof(
  { arbitrary: fc.constant<Encoding>('json'), weight: 60 },
  fc.constantFrom<Encoding>('bom', 'spaced', 'array', 'invalid-utf8', 'lone-surrogate', 'not-json'),
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.constant<Mutation>({ kind: 'none' }), weight: 24 },
  fc.record({
    kind: fc.constant('replace-char' as const),
    segment: fc.constantFrom(0 as const, 1 as const, 2 as const),
    at: fc.nat(),
    with: fc.constantFrom(...B64URL.split(''), '+', '/', '=', ' ', '\u00e9'),
  }),
  fc.record({
    kind: fc.constant('truncate-signature' as const),
    by: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({
    kind: fc.constant('append' as const),
    text: fc.constantFrom('=', '==', 'A', 'AA', 'AAAA', '.', '.e30', ' ', '\n'),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(' ', '\t', '=', '.', '+', '\r\n'),
  }),
  fc.record({
    kind: fc.constant('stray-bits' as const),
    segment: fc.constantFrom(0 as const, 1 as const, 2 as const),
  }),
  fc.constant<Mutation>({ kind: 'drop-signature' }),
  fc.constant<Mutation>({ kind: 'swap-signature' }),
);

const caseArbitrary = (iss: string): fc.Arbitrary<Case> =>
  fc.record({
    signer: fc.nat({ max: KEY_PLAN.length - 1 }),
    // null: the signer's own alg / kid.
    alg: rarely(fc.constantFrom(...ALGORITHMS, 'none', 'HS256', '', '5'), 12),
    kid: rarely(fc.constantFrom(...KEY_PLAN.map(([kid]) => kid), 'unknown', '<absent>', '7'), 12),
    typ: rarely(fc.constantFrom('jwt', 'application/JWT', 'at+jwt', 'JWS', '<absent>', '1'), 12),
    crit: rarely(
      fc.constantFrom(
        '["b64"]+true',
        '["b64"]+false',
        '["b64"]',
        '["exp"]',
        '[]',
        '"b64"',
        '[""]',
        'b64-alone-false',
      ),
      30,
    ),
    extraHeader: fc.oneof(
      { arbitrary: fc.constant<Members>([]), weight: 20 },
      fc.constantFrom<Members>(
        [['jku', '"https://attacker.example/jwks"']],
        [
          ['x5u', '"https://attacker.example/cert"'],
          ['cty', '"JWT"'],
        ],
        [['jwk', '{"kty":"oct","k":"c2VjcmV0"}']],
        [['alg', '"none"']],
      ),
    ),
    claims: fc.oneof(validClaimsArbitrary(iss), claimsArbitrary(iss)),
    headerEncoding: encodingArb,
    payloadEncoding: encodingArb,
    signature: fc.oneof(
      { arbitrary: fc.constant<SignatureVariant>('right'), weight: 30 },
      fc.constantFrom<SignatureVariant>('pss-salt-20', 'ecdsa-der'),
    ),
    mutation: mutationArb,
  });

async function build(testCase: Case, other: string): Promise<string> {
  const signer = signers[testCase.signer] ?? signers[0];
  if (signer === undefined) throw new Error('no signer');
  const header: Members = [];
  const alg = testCase.alg ?? signer.alg;
  header.push(['alg', alg === '5' ? '5' : JSON.stringify(alg)]);
  const typ = testCase.typ ?? 'JWT';
  if (typ !== '<absent>') header.push(['typ', typ === '1' ? '1' : JSON.stringify(typ)]);
  const kid = testCase.kid ?? signer.kid;
  if (kid !== '<absent>') header.push(['kid', kid === '7' ? '7' : JSON.stringify(kid)]);
  switch (testCase.crit) {
    case null:
      break;
    case '["b64"]+true':
      header.push(['crit', '["b64"]'], ['b64', 'true']);
      break;
    case '["b64"]+false':
      header.push(['crit', '["b64"]'], ['b64', 'false']);
      break;
    case 'b64-alone-false':
      header.push(['b64', 'false']);
      break;
    default:
      header.push(['crit', testCase.crit]);
  }
  header.push(...testCase.extraHeader);
  const input = `${jsonText(header, testCase.headerEncoding).toString('base64url')}.${jsonText(
    testCase.claims,
    testCase.payloadEncoding,
  ).toString('base64url')}`;
  const signature = await signWith(signer, input, testCase.signature);
  return mutate(`${input}.${signature.toString('base64url')}`, testCase.mutation, other);
}

// ---------------------------------------------------------------------------------------------

interface Stats {
  cases: number;
  accepted: number;
  nonCanonical: number;
  joseAcceptedNonCanonical: number;
  unusualCrit: number;
  descriptions: Map<string, number>;
}

/**
 * What the fast path's verdict must equal for one token: jose's, except in the classified cases.
 * For an accepted token, also the verdict of the cached verifier (admitted on its second
 * verification, then served from the cache).
 */
async function compare(
  token: string,
  ours: Verdict,
  jose: Verdict,
  stats: Stats,
): Promise<{ actual: unknown; expected: unknown }> {
  if (token.length <= 8192 && !isCanonical(token)) {
    // Known disagreement, jose wrong: jose (atob) ignores the stray low bits of a final base64url
    // character, so one token has up to 16 spellings; ropkit refuses all but one (RFC 4648
    // section 3.5). Only in the signature segment does this keep the signature valid.
    stats.nonCanonical++;
    if (jose.ok) stats.joseAcceptedNonCanonical++;
    return {
      actual: ours,
      expected: { ok: false, status: 401, description: 'Token is malformed' },
    };
  }
  if (hasUnusualCrit(token) && !(jose.ok && ours.ok)) {
    // Both refuse; the description may differ: ropkit refuses `crit` other than ["b64"] with
    // `b64: true` before any key lookup ("malformed"), jose after verifying the signature over
    // the unencoded payload (an unknown kid, a bad signature).
    stats.unusualCrit++;
    return { actual: [ours.ok, jose.ok], expected: [false, false] };
  }
  if (!ours.ok) {
    stats.descriptions.set(ours.description, (stats.descriptions.get(ours.description) ?? 0) + 1);
    return { actual: ours, expected: jose };
  }
  stats.accepted++;
  const first = await verdictOf(cached.verify(token));
  const second = await cached.verify(token);
  const hit = await cached.verify(token);
  return { actual: [ours, first, hit === second], expected: [jose, jose, true] };
}

describe('differential: the node:crypto fast path against jose.jwtVerify', () => {
  it(`reaches jose's verdict on ${RUNS} generated and mutated tokens`, async () => {
    const stats: Stats = {
      cases: 0,
      accepted: 0,
      nonCanonical: 0,
      joseAcceptedNonCanonical: 0,
      unusualCrit: 0,
      descriptions: new Map<string, number>(),
    };
    let previous = '';
    await fc.assert(
      fc.asyncProperty(caseArbitrary(issuer), async (testCase) => {
        const token = await build(testCase, previous);
        previous = token;
        const [ours, jose] = await Promise.all([
          verdictOf(plain.verify(token)),
          referenceVerify(token, reference),
        ]);
        stats.cases++;
        const { actual, expected } = await compare(token, ours, jose, stats);
        expect(actual).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    console.info(
      `differential: ${stats.cases} cases, ${stats.accepted} accepted by both, ` +
        `${stats.nonCanonical} non-canonical (jose accepted ${stats.joseAcceptedNonCanonical}), ` +
        `${stats.unusualCrit} with crit; refusals: ${JSON.stringify(Object.fromEntries(stats.descriptions))}`,
    );
    // The generators reach both sides of most rules; a vacuous run would fail here.
    expect(stats.accepted).toBeGreaterThan(RUNS * 0.1);
    expect(stats.descriptions.size).toBeGreaterThanOrEqual(14);
    expect(stats.joseAcceptedNonCanonical).toBeGreaterThan(0);
  }, 120_000);
});

/** A token every rule accepts, signed by the key `kid`. */
async function validToken(kid = 'rs256'): Promise<string> {
  const signer = signers.find((s) => s.kid === kid);
  if (signer === undefined) throw new Error(kid);
  const claims: Members = [
    ['iss', JSON.stringify(issuer)],
    ['sub', '"auth0|user"'],
    ['aud', JSON.stringify(AUDIENCE)],
    ['iat', num(-10)],
    ['exp', num(3600)],
  ];
  return build(
    {
      signer: signers.indexOf(signer),
      alg: null,
      kid: null,
      typ: null,
      crit: null,
      extraHeader: [],
      claims,
      headerEncoding: 'json',
      payloadEncoding: 'json',
      signature: 'right',
      mutation: { kind: 'none' },
    },
    '',
  );
}

describe('known disagreements with jose, and which side is wrong', () => {
  it('jose is wrong: it accepts a signature spelled with stray low bits; ropkit refuses it', async () => {
    const token = mutate(await validToken(), { kind: 'stray-bits', segment: 2 }, '');
    expect(isCanonical(token)).toBe(false);
    expect((await referenceVerify(token, reference)).ok).toBe(true);
    expect(await verdictOf(plain.verify(token))).toEqual({
      ok: false,
      status: 401,
      description: 'Token is malformed',
    });
  });

  it('jose is wrong: a JWK with public exponent 1 lets anyone forge; ropkit refuses the key (503)', async () => {
    const { createPublicKey, createHash } = await import('node:crypto');
    const rsa = signers.find((s) => s.kid === 'rs256')?.publicJwk;
    if (rsa === undefined) throw new Error('rs256');
    const forgedKey: JWK = { ...rsa, kid: 'e1', e: 'AQ' };
    const modulusBytes =
      createPublicKey({ key: forgedKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength ?? 0;
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'e1' })).toString(
      'base64url',
    );
    const payload = Buffer.from(
      JSON.stringify({ iss: issuer, sub: 'admin', aud: AUDIENCE, iat: NOW, exp: NOW + 60 }),
    ).toString('base64url');
    // With e = 1 the "signature" is the padded digest itself: no private key needed.
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(`${header}.${payload}`).digest(),
    ]);
    const size = modulusBytes / 8;
    const forged = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(size - 3 - digestInfo.length, 0xff),
      Buffer.from([0]),
      digestInfo,
    ]);
    const token = `${header}.${payload}.${forged.toString('base64url')}`;
    const keys = [...reference.keys, forgedKey];
    expect(await referenceVerify(token, { ...reference, keys })).toMatchObject({ ok: true });
    server.keys = keys;
    try {
      const verifier = createAccessTokenVerifier({
        issuer,
        audience: AUDIENCE,
        jwksUri: server.jwksUri,
        clock: () => NOW_MS,
        algorithms: ALGORITHMS,
      });
      expect(await verdictOf(verifier.verify(token))).toMatchObject({ ok: false, status: 503 });
    } finally {
      server.keys = reference.keys;
    }
  });

  it.each([
    [
      'a modulus with a character outside base64url (node skips it)',
      (jwk: JWK) => ({ ...jwk, n: `${jwk.n?.slice(0, 30)}*${jwk.n?.slice(30)}` }),
    ],
    ['a padded modulus', (jwk: JWK) => ({ ...jwk, n: `${jwk.n}==` })],
  ])('jose is wrong: it uses a key with %s; ropkit refuses the key (503)', async (_, corrupt) => {
    const token = await validToken('rs256');
    const keys = reference.keys.map((jwk) => (jwk.kid === 'rs256' ? corrupt(jwk) : jwk));
    expect((await referenceVerify(token, { ...reference, keys })).ok).toBe(true);
    server.keys = keys;
    try {
      const verifier = createAccessTokenVerifier({
        issuer,
        audience: AUDIENCE,
        jwksUri: server.jwksUri,
        clock: () => NOW_MS,
        algorithms: ALGORITHMS,
      });
      expect(await verdictOf(verifier.verify(token))).toMatchObject({ ok: false, status: 503 });
      // Every other key goes on working.
      await expect(verifier.verify(await validToken('es256'))).resolves.toBeDefined();
    } finally {
      server.keys = reference.keys;
    }
  });

  it('the jose-based verifier was wrong: it blamed the token (401) for a key shorter than 2048 bits; now 503', async () => {
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = {
      ...(small.publicKey.export({ format: 'jwk' }) as JWK),
      kid: 'small',
      alg: 'RS256',
    };
    const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'small' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: issuer, sub: 'x', aud: AUDIENCE, iat: NOW, exp: NOW + 60 }),
    ).toString('base64url')}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), small.privateKey).toString('base64url')}`;
    const keys = [...reference.keys, jwk];
    expect(await referenceVerify(token, { ...reference, keys })).toEqual({
      ok: false,
      status: 401,
      description: 'Token is malformed',
    });
    server.keys = keys;
    try {
      const verifier = createAccessTokenVerifier({
        issuer,
        audience: AUDIENCE,
        jwksUri: server.jwksUri,
        clock: () => NOW_MS,
        algorithms: ALGORITHMS,
      });
      expect(await verdictOf(verifier.verify(token))).toMatchObject({ ok: false, status: 503 });
    } finally {
      server.keys = reference.keys;
    }
  });

  it("jose's local key set refuses a whole set for one entry that is not an object; ropkit keeps the other keys", async () => {
    const keys = [...reference.keys, 'not a key' as unknown as JWK];
    expect(() => createLocalJWKSet({ keys })).toThrow(joseErrors.JWKSInvalid);
    server.keys = keys;
    try {
      const verifier = createAccessTokenVerifier({
        issuer,
        audience: AUDIENCE,
        jwksUri: server.jwksUri,
        clock: () => NOW_MS,
        algorithms: ALGORITHMS,
      });
      const token = await validToken('rs256');
      await expect(verifier.verify(token)).resolves.toBeDefined();
      // And jose, given the set without that entry, agrees on the token.
      await expect(
        jwtVerify(token, createLocalJWKSet({ keys: reference.keys }), {
          issuer,
          audience: AUDIENCE,
          currentDate: new Date(NOW_MS),
        }),
      ).resolves.toBeDefined();
    } finally {
      server.keys = reference.keys;
    }
  });
});
