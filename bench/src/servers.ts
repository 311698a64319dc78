import { PEER_SERVERS } from './peer-servers.ts';
import { ROPKIT_SERVERS } from './ropkit-servers.ts';

/** Every configuration the adapter benchmark can start. */
export const ALL_SERVERS = { ...PEER_SERVERS, ...ROPKIT_SERVERS };
export type { BenchEnv, Started } from './peer-servers.ts';
