import * as mockServer from '@ropkit/mock-server';
import { describeApiExampleSmoke } from '../../shared/test-support/api-example-smoke.ts';

describeApiExampleSmoke({
  framework: 'express',
  exampleDir: new URL('..', import.meta.url),
  mockServer,
});
