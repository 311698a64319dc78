import { PEER_SERVERS } from './peer-servers.ts';
import { ROPKIT_SERVERS, SKETCH_SERVERS } from './ropkit-servers.ts';

/** Every configuration the adapter benchmark can start. */
export const ALL_SERVERS = { ...PEER_SERVERS, ...ROPKIT_SERVERS, ...SKETCH_SERVERS };
/** The configurations measured unless asked for: the sketches only with BENCH_SKETCHES=1. */
export const MEASURED_SERVERS = Object.keys(ALL_SERVERS).filter(
  (name) => process.env['BENCH_SKETCHES'] === '1' || !(name in SKETCH_SERVERS),
);
export type { BenchEnv, Started } from './peer-servers.ts';
