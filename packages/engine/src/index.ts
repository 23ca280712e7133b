export * from './text/cn-id.js';
export * from './text/segment.js';
export * from './text/bm25.js';
export * from './graph/kp-graph.js';
export * from './text/pii.js';
export * from './marking/objective.js';
export * from './text/minhash.js';
export * from './marking/keypoints.js';
