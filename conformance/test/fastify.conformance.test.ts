import { startTestApp } from '@ropkit/fastify/conformance';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'fastify', startTestApp });
