import type { Cache, VersionedRead } from './cache';

/**
 * The {@link Cache} used when `cacheEnabled` is false: every read is a miss (with no stamp,
 * so nothing is filled), writes, deletes and bumps do nothing and `add` says false, so the
 * services need no special case for a disabled cache.
 */
export class DisabledCache implements Cache {
  readonly backend = 'none' as const;

  async get<T>(_key: string): Promise<T | undefined> {
    return undefined;
  }

  async set(_key: string, _value: unknown, _ttlSeconds: number): Promise<void> {}

  /** Always false: nothing is ever stored. */
  async add(_key: string, _value: unknown, _ttlSeconds: number): Promise<boolean> {
    return false;
  }

  async delete(..._keys: string[]): Promise<void> {}

  async getVersioned<T>(_key: string, _scopes: readonly string[]): Promise<VersionedRead<T>> {
    return { value: undefined, stamp: undefined };
  }

  async setVersioned(_key: string, _stamp: string, _value: unknown, _ttlSeconds: number): Promise<void> {}

  async bump(..._scopes: string[]): Promise<void> {}

  /** Always true: a disabled cache has nothing that can fail. */
  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
