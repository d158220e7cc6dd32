import { afterEach, describe, expect, it, vi } from 'vitest';
import { allowBuildHint, detectPackageManager, installCommand, rebuildCommand } from './package-manager';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('detectPackageManager', () => {
  it('reads the first name of npm_config_user_agent (what npm, pnpm, yarn and bun set)', () => {
    expect(detectPackageManager({ npm_config_user_agent: 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64' })).toBe('pnpm');
    expect(detectPackageManager({ npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false' })).toBe('npm');
    expect(detectPackageManager({ npm_config_user_agent: 'yarn/4.5.0 npm/? node/v20.20.2 linux x64' })).toBe('yarn');
    expect(detectPackageManager({ npm_config_user_agent: 'bun/1.2.0 npm/? node/v22.6.0 linux x64' })).toBe('bun');
  });

  it('falls back to npm when the variable is absent, empty or unknown', () => {
    expect(detectPackageManager({})).toBe('npm');
    expect(detectPackageManager({ npm_config_user_agent: '' })).toBe('npm');
    expect(detectPackageManager({ npm_config_user_agent: 'cnpm/9 node/v20' })).toBe('npm');
  });

  it('reads process.env by default', () => {
    vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
    expect(detectPackageManager()).toBe('pnpm');
    vi.stubEnv('npm_config_user_agent', '');
    expect(detectPackageManager()).toBe('npm');
  });

  it('works without a global process (browsers)', () => {
    vi.stubGlobal('process', undefined);
    try {
      expect(detectPackageManager()).toBe('npm');
      expect(installCommand(['webgpu'])).toBe('npm install webgpu');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('commands in the package manager\'s words', () => {
  it('install', () => {
    expect(installCommand(['webgpu'], 'npm')).toBe('npm install webgpu');
    expect(installCommand(['a', 'b'], 'pnpm')).toBe('pnpm add a b');
    expect(installCommand(['a'], 'yarn')).toBe('yarn add a');
    expect(installCommand(['a'], 'bun')).toBe('bun add a');
  });

  it('rebuild and allowing install scripts: pnpm and bun need it, npm and yarn do not', () => {
    expect(rebuildCommand('x', 'npm')).toBe('npm rebuild x');
    expect(rebuildCommand('x', 'bun')).toBe('bun pm trust x');
    expect(allowBuildHint('x', 'pnpm')).toContain('pnpm approve-builds');
    expect(allowBuildHint('x', 'pnpm')).toContain('"onlyBuiltDependencies": ["x"]');
    expect(allowBuildHint('x', 'bun')).toContain('trustedDependencies');
    expect(allowBuildHint('x', 'npm')).toBe('');
    expect(allowBuildHint('x', 'yarn')).toBe('');
  });
});
