import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TokenDecryptionError } from './redis-store-errors.js';

/** First byte of every stored value: the layout below. A new layout gets a new number. */
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 2 + IV_BYTES + TAG_BYTES;

/**
 * AES-256-GCM for token sets at rest. Layout (then base64): format version (1 byte), key id
 * (1 byte), a random 12-byte IV, the 16-byte auth tag, the ciphertext. The Redis key name is the
 * additional authenticated data, so a value copied under another session's key fails to decrypt
 * instead of logging that session in as someone else.
 */
export class TokenCipher {
  readonly #keys: ReadonlyMap<number, Buffer>;
  readonly #currentKeyId: number;

  /** @param keys Every key that may decrypt, by id; `currentKeyId` encrypts. */
  constructor(keys: ReadonlyMap<number, Buffer>, currentKeyId: number) {
    this.#keys = keys;
    this.#currentKeyId = currentKeyId;
  }

  /** Encrypts `plaintext` for the Redis key `name`. */
  seal(plaintext: string, name: string): string {
    const key = this.#keys.get(this.#currentKeyId);
    if (key === undefined) throw new Error('The current encryption key is missing');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const header = Buffer.from([FORMAT_VERSION, this.#currentKeyId]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /**
   * Decrypts a value read under the Redis key `name`.
   *
   * @throws {TokenDecryptionError} unknown format or key id, wrong key, or altered data.
   */
  open(sealed: string, name: string): string {
    const data = Buffer.from(sealed, 'base64');
    if (data.length <= HEADER_BYTES || data[0] !== FORMAT_VERSION) {
      throw new TokenDecryptionError('The stored token set is not in a format this store writes');
    }
    const keyId = data[1] ?? -1;
    const key = this.#keys.get(keyId);
    if (key === undefined) {
      throw new TokenDecryptionError(
        `The stored token set was encrypted with key id ${keyId}, which this store was not given`,
      );
    }
    const iv = data.subarray(2, 2 + IV_BYTES);
    const tag = data.subarray(2 + IV_BYTES, HEADER_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(data.subarray(HEADER_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new TokenDecryptionError(
        `The stored token set does not decrypt with key id ${keyId}: wrong key, or the data was altered`,
        { cause: error },
      );
    }
  }
}
