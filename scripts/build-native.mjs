#!/usr/bin/env node
// Placeholder until the native CPU kernels land: nothing to build yet.
