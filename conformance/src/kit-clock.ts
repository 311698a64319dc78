/**
 * The clock the kit gives the apps' sign-in engines (`login.clock`): real time plus what the
 * scenarios advanced it by. It never runs slower than real time, so nothing the engine keeps
 * expires sooner than it would (a token store that forgets on real time keeps it as long), and
 * it only moves forward.
 */
export class KitClock {
  #offsetMs = 0;

  /** Milliseconds since the epoch: the engine's `clock`. */
  readonly now = (): number => Date.now() + this.#offsetMs;

  /** Moves the clock `seconds` forward. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError('the kit clock only moves forward, by a finite number of seconds');
    }
    this.#offsetMs += seconds * 1000;
  }
}
