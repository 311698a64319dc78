/**
 * One buffer that the synchronous decoding steps of a verification (base64url to bytes, bytes to
 * text, the bytes `crypto.verify` reads) write into, instead of allocating three buffers per
 * token: small `Buffer`s come from 8 KiB pools, and a new pool every few tokens is an
 * `ArrayBuffer` whose external memory makes the garbage collector run far more often (15% of a
 * verification's time, measured). Safe because JavaScript runs one thing at a time and no caller
 * holds it across an `await`: every use writes it and reads it back in one synchronous call.
 */
let buffer = Buffer.allocUnsafeSlow(16 * 1024);

/** The scratch buffer, at least `size` bytes long. Its content is garbage until written. */
export function scratch(size: number): Buffer {
  if (buffer.length < size) buffer = Buffer.allocUnsafeSlow(Math.max(size, buffer.length * 2));
  return buffer;
}
