#!/usr/bin/env node
// The support team's CLI. Runs the TypeScript entry through tsx, so no build step stands in between.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
