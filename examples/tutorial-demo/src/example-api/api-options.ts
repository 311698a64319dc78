/** What the example API needs to verify tokens: where they come from and whom they are for. */
export interface ExampleApiOptions {
  /** `https://TENANT/`, exactly as in the tokens' `iss`; keys are discovered from it. */
  readonly issuer: string;
  /** The API identifier the tokens must be for (`aud`). */
  readonly audience: string;
}

/** A running example API. */
export interface RunningApi {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** The scope `/api/private-scoped` requires, as in Auth0's API quickstarts and the tutorial. */
export const REQUIRED_SCOPE = 'read:sample';
