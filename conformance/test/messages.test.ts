import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, ConformanceHttp, ConformanceRun, type StartTestApp } from '../src/index.js';

const scenario = (id: string) => {
  const found = CATALOGUE.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no scenario ${id}`);
  return found;
};

/** An app that accepts every token: 200 `{"sub":"anyone"}` on every route. */
const acceptsAnything: StartTestApp = async () => {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ sub: 'anyone', padding: 'x'.repeat(200) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
};

/** An app that refuses every token with a correct 401 but no challenge. */
const noChallenge: StartTestApp = async () => {
  const server = createServer((_request, response) => {
    response.statusCode = 401;
    response.end('Unauthorized\n\nplease sign in');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
};

describe('failure messages a maintainer can act on', () => {
  it('say what was sent, what was expected and what came back, on one line', async () => {
    const run = await ConformanceRun.start(
      { name: 'accepts', startTestApp: acceptsAnything },
      { runtime: 'in-process' },
    );
    try {
      const result = await run.run(scenario('jwt-02'));
      expect(result.reason).toMatch(
        /^sent GET \/api\/private with a token whose signature does not verify; expected a refusal \(401\); got 200, no WWW-Authenticate, body \{"sub":"anyone","padding":"x{50,}\.\.\. \(accepted\)$/,
      );
      expect(result.reason).not.toContain('\n');
    } finally {
      await run.close();
    }
  });

  it('a correct refusal without a challenge is not read as accepting forged tokens', async () => {
    const run = await ConformanceRun.start(
      { name: 'no-challenge', startTestApp: noChallenge },
      { runtime: 'in-process' },
    );
    try {
      // The JWT requirement (reject) holds: a 401 is a refusal.
      expect(await run.run(scenario('jwt-02'))).toMatchObject({ outcome: 'pass' });
      // The missing challenge fails the requirement that is about the challenge, saying so.
      const challenge = await run.run(scenario('bearer-17'));
      expect(challenge.reason).toBe(
        'sent GET /api/private with a token that is not a JWT; expected a refusal with a WWW-Authenticate: Bearer challenge; got 401, no WWW-Authenticate, body Unauthorized please sign in',
      );
    } finally {
      await run.close();
    }
  });

  it('a network failure names the URL and the cause', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    const http = new ConformanceHttp(`http://127.0.0.1:${port}`, { timeoutMs: 1_000 });
    await expect(http.request('/api/private')).rejects.toThrow(
      `GET http://127.0.0.1:${port}/api/private failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('the flood scenario shows the statuses and the fetch count', async () => {
    const run = await ConformanceRun.start(
      { name: 'accepts', startTestApp: acceptsAnything },
      { runtime: 'in-process' },
    );
    try {
      const result = await run.run(scenario('keys-03'));
      expect(result.reason).toMatch(
        /^sent 30 concurrent GET \/api\/private, each with a token of another unknown kid, within one key set cooldown \(10000 ms\); expected each refused \(4xx\), with at most 1 key set fetch; got 200 x30; 0 key set fetch\(es\)$/,
      );
    } finally {
      await run.close();
    }
  });
});
