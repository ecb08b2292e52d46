// Bundles import `node:http` through this file (the alias in infra/bundling.ts): an ESM import of a
// built-in reads every export, and node:http's lazy ones load undici (fetch, WebSocket), 15-30 ms of a
// cold start; require() reads none. (@middy/util imports it, for STATUS_CODES.)
// biome-ignore lint/style/useNodejsImportProtocol: `node:http` is the alias that leads here.
module.exports = require('http');
