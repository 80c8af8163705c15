// graphql-depth-limit ships no types; its one export builds a validation rule.
declare module 'graphql-depth-limit' {
  import type { ValidationRule } from 'graphql';
  function depthLimit(maxDepth: number, options?: { ignore?: (string | RegExp)[] }): ValidationRule;
  export = depthLimit;
}
