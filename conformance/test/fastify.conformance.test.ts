import { capabilities, startTestApp } from '../src/adapters/fastify.js';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'fastify', startTestApp, capabilities });
