export * from './spec';
export * from './types';
export * from './parse';
export * from './options';
export { type Allowed, type MemberSizeRule, classifyMember } from './members';
export * from './archive';
export * from './transforms';
export * from './tensors';
