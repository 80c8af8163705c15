// The page's GraphQL operations: codegen (codegen.yml, documents web/src/**/*.ts) types each one in src/generated/client.
import { graphql } from '../../src/generated/client';

export const NeighbourhoodQuery = graphql(`
  query PageNeighbourhood($handle: ID!, $model: SimilarityModel!, $limit: Int!) {
    user(handle: $handle) {
      handle
      interests {
        name
      }
      similarUsers(model: $model, limit: $limit) {
        handle
        score
        rank
        reasons(limit: 3) {
          kind
          item
          share
        }
        user {
          interests {
            name
          }
          similarUsers(model: $model, limit: $limit) {
            handle
            score
          }
        }
      }
    }
  }
`);

export const ModelsQuery = graphql(`
  query PageModels {
    models {
      name
      version
      trainedAt
      users
      edges
      default
    }
  }
`);

export const ExamplesQuery = graphql(`
  query PageExamples {
    users(first: 6) {
      totalCount
      edges {
        node {
          handle
        }
      }
    }
  }
`);

export const PreviewQuery = graphql(`
  query PagePreview($interests: [String!]!, $model: SimilarityModel, $limit: Int!) {
    previewSimilarUsers(interests: $interests, model: $model, limit: $limit) {
      model
      version
      live
      interests
      unknownInterests
      neighbours {
        handle
        score
        rank
        live
        sharedInterests
      }
    }
  }
`);
