export * from './text/cn-id.js';
