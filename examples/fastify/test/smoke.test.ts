import * as mockServer from '@ropkit/mock-server';
import { describeApiExampleSmoke } from '../../shared/test-support/api-example-smoke.ts';

describeApiExampleSmoke({
  framework: 'fastify',
  exampleDir: new URL('..', import.meta.url),
  mockServer,
});
