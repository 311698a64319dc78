import { sharedConfig } from '../vitest.shared.ts';

// Container start and the scenarios that wait for tokens to expire need more than the default.
export default sharedConfig({ testTimeout: 60_000, hookTimeout: 180_000 });
