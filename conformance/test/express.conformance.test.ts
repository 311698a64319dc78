import { capabilities, startTestApp } from '../src/adapters/express.js';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'express', startTestApp, capabilities });
