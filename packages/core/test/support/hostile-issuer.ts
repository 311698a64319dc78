import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, SignJWT, type JWTHeaderParameters } from 'jose';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TokenClient, type TokenClientOptions } from '../../src/index.js';
import { createTestKey, type TestKey } from './keys.js';

/** The client the hostile issuer knows; the secret is long enough for HS256 and is a canary. */
export const HOSTILE_CLIENT = {
  clientId: 'hostile-oidc-client',
  clientSecret: 'CanaryClientSecret-0123456789-abcdefghijklmnop',
} as const;

/** The user every sign-in is for; `sub` is a canary that must not reach an error. */
export const HOSTILE_SUBJECT = 'auth0|canary-subject-4242';

/** What an ID token answered by the hostile issuer is made of. */
export interface IdTokenRecipe {
  /** Claims merged over the valid defaults; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Header members merged over `{ alg, typ: 'JWT', kid }`; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Sign with this key (default: the published one). */
  key?: TestKey;
  /** Sign with HS256 keyed by this secret instead of a key. */
  hmacSecret?: string;
}

/** An answer of the token endpoint: an ID token (or none), or a body of one's own. */
export type TokenAnswer =
  | { idToken: string | undefined; scope?: string; refreshToken?: string }
  | { body: object; status?: number };

/**
 * An OpenID provider on 127.0.0.1 that answers real HTTP (discovery, JWKS, token endpoint,
 * userinfo) with crafted ID tokens: the forgeries and mistakes a client must refuse. With nothing
 * queued, each grant gets a valid RS256 ID token for {@link HOSTILE_SUBJECT}.
 */
export interface HostileIssuer {
  /** `http://127.0.0.1:PORT/`, with its trailing slash. */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  /** The published RS256 key. */
  readonly key: TestKey;
  /** A key of the same kind, never published. */
  readonly strangerKey: TestKey;
  /** Requests per path (`/oauth/token`, `/.well-known/jwks.json`, ...). */
  count(path: string): number;
  /** Token answers for the next grants, first in, first out. */
  queue(...answers: TokenAnswer[]): void;
  /** The key set answers 503 while this is true. */
  jwksDown: boolean;
  /**
   * How `/userinfo` answers: a status, a body (an object goes out as JSON, a string as
   * `text/plain`) and headers. Default: 200 with `{ sub }` of {@link HOSTILE_SUBJECT}.
   */
  userinfo: { status: number; body?: object | string; headers?: Record<string, string> };
  /** The `Authorization` header of the last `/userinfo` request. */
  readonly lastUserinfoAuthorization: string | undefined;
  /** Empties the queue, brings the key set back up, and `/userinfo` to its default. */
  reset(): void;
  /** Signs an ID token: the valid defaults (`iss`, `aud`, `sub`, `iat`, `exp`) with changes. */
  idToken(recipe?: IdTokenRecipe): Promise<string>;
  /** Signs any payload bytes (not necessarily JSON) with the published key. */
  signRaw(payload: string, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** The default `/userinfo` answer: the subject every ID token is for. */
function defaultUserinfo(): HostileIssuer['userinfo'] {
  return { status: 200, body: { sub: HOSTILE_SUBJECT } };
}

export async function startHostileIssuer(): Promise<HostileIssuer> {
  const key = await createTestKey('RS256', 'hostile-key');
  const strangerKey = await createTestKey('RS256', 'stranger-key');
  const requests: string[] = [];
  const queued: TokenAnswer[] = [];
  let issued = 0;
  let url = '';
  const issuer = () => `${url}/`;
  const state: {
    jwksDown: boolean;
    userinfo: HostileIssuer['userinfo'];
    lastUserinfoAuthorization: string | undefined;
  } = { jwksDown: false, userinfo: defaultUserinfo(), lastUserinfoAuthorization: undefined };

  const idToken = async (recipe: IdTokenRecipe = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const claims = omitUndefined({
      iss: issuer(),
      sub: HOSTILE_SUBJECT,
      aud: HOSTILE_CLIENT.clientId,
      iat: now,
      exp: now + 3600,
      email: 'canary@example.com',
      ...recipe.claims,
    });
    const signer = recipe.key ?? key;
    if (recipe.hmacSecret !== undefined) {
      const header = omitUndefined({ alg: 'HS256', typ: 'JWT', ...recipe.header });
      return new SignJWT(claims)
        .setProtectedHeader(header as unknown as JWTHeaderParameters)
        .sign(new TextEncoder().encode(recipe.hmacSecret));
    }
    const header = omitUndefined({
      alg: signer.alg,
      typ: 'JWT',
      kid: signer.kid,
      ...recipe.header,
    });
    return new SignJWT(claims)
      .setProtectedHeader(header as unknown as JWTHeaderParameters)
      .sign(signer.privateKey);
  };

  const answerToken = async (res: ServerResponse): Promise<void> => {
    const next = queued.shift() ?? { idToken: await idToken() };
    if ('body' in next) {
      json(res, next.status ?? 200, next.body);
      return;
    }
    json(res, 200, {
      access_token: `hostile-at-${++issued}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: next.refreshToken ?? 'hostile-refresh-token',
      ...(next.idToken === undefined ? {} : { id_token: next.idToken }),
      ...(next.scope === undefined ? {} : { scope: next.scope }),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', url).pathname;
    requests.push(path);
    for await (const chunk of req) void chunk;
    switch (path) {
      case '/.well-known/openid-configuration':
        json(res, 200, {
          issuer: issuer(),
          token_endpoint: `${issuer()}oauth/token`,
          userinfo_endpoint: `${issuer()}userinfo`,
          jwks_uri: `${issuer()}.well-known/jwks.json`,
        });
        return;
      case '/.well-known/jwks.json':
        if (state.jwksDown) res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
        else json(res, 200, { keys: [key.publicJwk] });
        return;
      case '/oauth/token':
        await answerToken(res);
        return;
      case '/userinfo': {
        state.lastUserinfoAuthorization = req.headers.authorization;
        const { status, body, headers } = state.userinfo;
        if (typeof body === 'string') {
          res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
        } else {
          res
            .writeHead(status, { 'content-type': 'application/json', ...headers })
            .end(body === undefined ? '' : JSON.stringify(body));
        }
        return;
      }
      default:
        res.writeHead(404).end();
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer: issuer(),
    tokenEndpoint: `${url}/oauth/token`,
    jwksUri: `${url}/.well-known/jwks.json`,
    key,
    strangerKey,
    count: (path) => requests.filter((entry) => entry === path).length,
    queue: (...answers) => void queued.push(...answers),
    get jwksDown() {
      return state.jwksDown;
    },
    set jwksDown(down: boolean) {
      state.jwksDown = down;
    },
    get userinfo() {
      return state.userinfo;
    },
    set userinfo(answer) {
      state.userinfo = answer;
    },
    get lastUserinfoAuthorization() {
      return state.lastUserinfoAuthorization;
    },
    reset() {
      queued.length = 0;
      state.jwksDown = false;
      state.userinfo = defaultUserinfo();
      state.lastUserinfoAuthorization = undefined;
    },
    idToken,
    signRaw: (payload, header = {}) =>
      new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
        .sign(key.privateKey),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A hostile issuer for a test file: started once, its queue emptied before each test. */
export function useHostileIssuer(): { readonly server: HostileIssuer } {
  let started: HostileIssuer | undefined;
  beforeAll(async () => {
    started = await startHostileIssuer();
  });
  beforeEach(() => {
    started?.reset();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get server(): HostileIssuer {
      if (started === undefined) throw new Error('the hostile issuer starts in beforeAll');
      return started;
    },
  };
}

/** A token client of {@link HOSTILE_CLIENT} with the hostile issuer as its `issuer`. */
export function hostileIssuerClient(
  server: HostileIssuer,
  options: Partial<TokenClientOptions> = {},
): TokenClient {
  return new TokenClient({
    issuer: server.issuer,
    clientId: HOSTILE_CLIENT.clientId,
    clientSecret: HOSTILE_CLIENT.clientSecret,
    ...options,
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function omitUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
}
