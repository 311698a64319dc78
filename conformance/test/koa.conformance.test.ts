import { startTestApp } from '@ropkit/koa/conformance';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'koa', startTestApp });
