import { capabilities, startTestApp } from '../src/adapters/koa.js';
import { describeConformance } from './support/describe-conformance.js';

describeConformance({ name: 'koa', startTestApp, capabilities });
