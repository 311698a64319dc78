import type { Framework } from '../frameworks.ts';
import type { ExampleApiOptions, RunningApi } from './api-options.ts';
import { startExpressApi } from './express-api.ts';
import { startFastifyApi } from './fastify-api.ts';
import { startKoaApi } from './koa-api.ts';

const STARTERS: Record<Framework, (options: ExampleApiOptions) => Promise<RunningApi>> = {
  express: startExpressApi,
  koa: startKoaApi,
  fastify: startFastifyApi,
};

/** Starts the example API (`/api/public`, `/api/private`, `/api/private-scoped`) on `framework`. */
export function startExampleApi(
  framework: Framework,
  options: ExampleApiOptions,
): Promise<RunningApi> {
  return STARTERS[framework](options);
}
