import type { LoginSession } from '../../src/adapter.js';

/**
 * A session library as the engine sees it through its port: every renewal is a new id and drops
 * the data, as express-session's regenerate() does. `ids` records the ids it went through.
 */
export class FakeSession implements LoginSession {
  data: Record<string, string> = {};
  ids = ['id-0'];
  readKey() {
    return this.data['ropkitKey'];
  }
  async adoptKey(key: string) {
    this.#renew();
    this.data['ropkitKey'] = key;
  }
  async clear() {
    this.#renew();
  }
  #renew() {
    this.data = {};
    this.ids.push(`id-${this.ids.length}`);
  }
}
