import { startTestApp } from '@ropkit/express/conformance';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'express', startTestApp });
