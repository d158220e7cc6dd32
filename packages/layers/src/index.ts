export * from './kinds';
export * from './spec';
export * from './build';
export * from './config';
export * from './zoo';
export * from "./summary";
