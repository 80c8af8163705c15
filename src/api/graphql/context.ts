// The per-request context: the repository and fresh DataLoaders (caches live for one request only).
import type { ApiRepository } from '../../graph/api-repository';
import type { NeighbourSource } from '../cache';
import { createLoaders, type Loaders } from './loaders';

export interface Context {
  repo: ApiRepository;
  loaders: Loaders;
}

export function createContext(repo: ApiRepository, source: NeighbourSource): Context {
  return { repo, loaders: createLoaders(repo, source) };
}
