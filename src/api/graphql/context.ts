// The per-request context: the repository and fresh DataLoaders (caches live for one request only), and, on a
// server with ADMIN_TOKEN, its admin operations with the request's Authorization header.
import type { ApiRepository } from '../../graph/api-repository';
import type { AdminOperations } from '../admin';
import type { NeighbourSource } from '../cache';
import { createLoaders, type Loaders } from './loaders';

export interface Context {
  repo: ApiRepository;
  loaders: Loaders;
  admin: { operations: AdminOperations; authorization: string | undefined } | undefined;
}

export function createContext(
  repo: ApiRepository,
  source: NeighbourSource,
  admin?: { operations: AdminOperations; authorization: string | undefined },
): Context {
  return { repo, loaders: createLoaders(repo, source), admin };
}
