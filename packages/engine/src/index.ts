export * from './text/cn-id.js';
export * from './text/segment.js';
export * from './text/bm25.js';
export * from './graph/kp-graph.js';
