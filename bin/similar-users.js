#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so that no build step stands between a clone and the tool.
require('tsx/cjs');
require('./resolve-builtins');
require('../src/cli/bin.ts');
