// Node's built-in modules resolve to themselves, before any hook runs: this is the first step of Node's own
// Module._resolveFilename. tsx's require hook (installed just before this file is required) skips that step and
// parses every request, query string and caller stack included, so a library that calls require('crypto') per
// call (Apollo Server hashes each GraphQL query through @apollo/utils.createhash, which does) paid ~10% of a
// GraphQL request's CPU in the resolver (bench/README.md, "api"). Built-ins go straight to Node again.
'use strict';
const Module = require('node:module');

const next = Module._resolveFilename;
Module._resolveFilename = function resolveFilename(request, ...rest) {
  return typeof request === 'string' && Module.isBuiltin(request) ? request : next.call(this, request, ...rest);
};
