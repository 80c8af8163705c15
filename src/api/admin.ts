// Operators' operations, served only when ADMIN_TOKEN is set: forgetting a user through the repository call
// `npm run forget` makes, then dropping this server's cached lists at once instead of at the cache's next refresh.
import { AppError } from '../errors';
import type { Graph } from '../graph/executor';
import { SimilarityRepository } from '../graph/similarity-repository';
import { bearerAccess } from './bearer';

/** What forgetting one user removed. */
export interface ForgetOutcome {
  handle: number;
  found: boolean;
  edges: number;
  lists: number;
}

/** The admin operations of one server, and who may run them. */
export class AdminOperations {
  private readonly repo: SimilarityRepository;

  /** `afterForget` runs once a user is gone from the graph (the server drops its cached lists there). */
  constructor(
    graph: Graph,
    private readonly token: string,
    private readonly afterForget: () => void,
  ) {
    this.repo = new SimilarityRepository(graph);
  }

  /** Throws UNAUTHENTICATED without a bearer token, FORBIDDEN with another than ADMIN_TOKEN. */
  authorize(authorization: string | undefined): void {
    switch (bearerAccess(this.token, authorization)) {
      case 200:
        return;
      case 401:
        throw new AppError('UNAUTHENTICATED', 'expected Authorization: Bearer <ADMIN_TOKEN>, got no bearer token');
      case 403:
        throw new AppError('FORBIDDEN', 'expected the ADMIN_TOKEN bearer token, got another');
    }
  }

  /** Forgets a user (see SimilarityRepository.forgetUser), then lets the server forget its cached lists. */
  async forget(handle: number): Promise<ForgetOutcome> {
    const r = await this.repo.forgetUser(handle);
    this.afterForget();
    return { handle, ...r };
  }
}
