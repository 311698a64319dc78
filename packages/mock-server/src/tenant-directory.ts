import type {
  ResolvedApi,
  ResolvedClient,
  ResolvedConnection,
  ResolvedRule,
  ResolvedTenant,
  ResolvedUser,
} from './resolved-config.js';
import { checkPermissions, rejectLoginNameClashes } from './validate-config.js';

/** A user together with the connection that holds it. */
export interface DirectoryUser {
  readonly connection: string;
  readonly user: ResolvedUser;
}

function cloneUser(user: ResolvedUser): ResolvedUser {
  // Recovery codes are consumed and authenticators enrolled, confirmed and deleted at run time;
  // the configuration must stay as it was for reset().
  return {
    ...user,
    permissions: structuredClone(user.permissions),
    mfa:
      user.mfa === undefined
        ? undefined
        : {
            ...user.mfa,
            authenticators: user.mfa.authenticators.map((authenticator) => ({ ...authenticator })),
            recoveryCodes: [...user.mfa.recoveryCodes],
          },
  };
}

/**
 * The tenant's mutable registry: APIs, clients, connections with their users, and rules. The
 * control API changes it; {@link TenantDirectory.reset} restores the configuration.
 */
export class TenantDirectory {
  readonly #initial: ResolvedTenant;
  #apis = new Map<string, ResolvedApi>();
  #clients = new Map<string, ResolvedClient>();
  #connections = new Map<string, ResolvedUser[]>();
  #rules: ResolvedRule[] = [];

  constructor(tenant: ResolvedTenant) {
    this.#initial = tenant;
    this.reset();
  }

  /** The tenant's default directory (connection name), if set. */
  get defaultDirectory(): string | undefined {
    return this.#initial.defaultDirectory;
  }

  /** The tenant's default audience, if set. */
  get defaultAudience(): string | undefined {
    return this.#initial.defaultAudience;
  }

  /** Rules in order. */
  get rules(): readonly ResolvedRule[] {
    return this.#rules;
  }

  /** Restores the configuration the server started with. */
  reset(): void {
    this.#apis = new Map(this.#initial.apis.map((api) => [api.identifier, api]));
    this.#clients = new Map(this.#initial.clients.map((client) => [client.clientId, client]));
    this.#connections = new Map(
      this.#initial.connections.map((connection) => [
        connection.name,
        connection.users.map(cloneUser),
      ]),
    );
    this.#rules = [...this.#initial.rules];
  }

  /** An API by identifier. */
  api(identifier: string): ResolvedApi | undefined {
    return this.#apis.get(identifier);
  }

  /** A client by id. */
  client(clientId: string): ResolvedClient | undefined {
    return this.#clients.get(clientId);
  }

  /** Whether a connection exists. */
  hasConnection(name: string): boolean {
    return this.#connections.has(name);
  }

  /** A user of `connection` by login name (email or username, case-insensitive, as Auth0). */
  findUser(connection: string, loginName: string): ResolvedUser | undefined {
    const wanted = loginName.toLowerCase();
    return this.#connections
      .get(connection)
      ?.find(
        (user) => user.email.toLowerCase() === wanted || user.username?.toLowerCase() === wanted,
      );
  }

  /** A user by id, in any connection. */
  findUserById(userId: string): DirectoryUser | undefined {
    for (const [connection, users] of this.#connections) {
      const user = users.find((candidate) => candidate.userId === userId);
      if (user !== undefined) return { connection, user };
    }
    return undefined;
  }

  /**
   * The user with `email` in `connection`, for the control API; throws a `TypeError` naming the
   * connection (never the email) when there is none.
   */
  requireUser(connection: string, email: string): ResolvedUser {
    const users = this.#connections.get(connection);
    if (users === undefined) throw new TypeError(`No connection is named "${connection}"`);
    const user = users.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
    if (user === undefined) {
      throw new TypeError(`Connection "${connection}" has no user with that email`);
    }
    return user;
  }

  /** Adds or replaces an API. */
  setApi(api: ResolvedApi): void {
    this.#apis.set(api.identifier, api);
  }

  /** Removes an API; tokens already issued for it stay valid until they expire. */
  removeApi(identifier: string): void {
    if (!this.#apis.delete(identifier))
      throw new TypeError(`No API has identifier "${identifier}"`);
  }

  /** Adds or replaces a client. */
  setClient(client: ResolvedClient): void {
    this.#clients.set(client.clientId, client);
  }

  /** Removes a client. */
  removeClient(clientId: string): void {
    if (!this.#clients.delete(clientId))
      throw new TypeError(`No client has clientId "${clientId}"`);
  }

  /** Adds or replaces a connection with its users. */
  setConnection(connection: ResolvedConnection): void {
    connection.users.forEach((user, index) => {
      checkPermissions(user, `users[${index}]`, this.#apis);
    });
    this.#connections.set(connection.name, connection.users.map(cloneUser));
  }

  /** Adds a user to `connection`, or replaces the one with the same email. */
  setUser(connection: string, user: ResolvedUser): void {
    const users = this.#connections.get(connection);
    if (users === undefined) throw new TypeError(`No connection is named "${connection}"`);
    checkPermissions(user, 'user', this.#apis);
    const others = users.filter(
      (existing) => existing.email.toLowerCase() !== user.email.toLowerCase(),
    );
    const next = [...others, cloneUser(user)];
    rejectLoginNameClashes(next, `connection "${connection}"`);
    this.#connections.set(connection, next);
  }

  /** Removes the user with `email` from `connection`. */
  removeUser(connection: string, email: string): void {
    const users = this.#connections.get(connection);
    if (users === undefined) throw new TypeError(`No connection is named "${connection}"`);
    const remaining = users.filter((user) => user.email.toLowerCase() !== email.toLowerCase());
    if (remaining.length === users.length) {
      throw new TypeError(`Connection "${connection}" has no user with that email`);
    }
    this.#connections.set(connection, remaining);
  }
}
