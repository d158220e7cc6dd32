import { recordActivatedBackend } from './active-backend';
import type { BackendPlugin, DeviceInfo } from './backend';
import { TfbricksError, errorMessage, isTfbricksError } from './errors';

/** The tfjs functions the registry needs; injectable for tests. */
export interface TfEngine {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string | undefined;
}

export interface RegistryOptions {
  /** Environment to read `TFBRICKS_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** tfjs engine (default `@tensorflow/tfjs-core`). */
  engine?: TfEngine;
}

/** Outcome of a plugin's one-time init. */
export type InitOutcome =
  | { ok: true; device: DeviceInfo }
  | { ok: false; reason: string; error: unknown };

/** How the active backend was chosen. */
export type ResolutionSource = 'option' | 'env' | 'priority';

export interface ResolvedBackend {
  plugin: BackendPlugin;
  name: string;
  device: DeviceInfo;
  source: ResolutionSource;
  /** Backends tried before this one, or skipped, with the reason. */
  passedOver: { name: string; reason: string }[];
  /** Why automatic selection took this backend when it was not simply the highest priority. */
  reason?: string;
}

export interface BackendStatus {
  name: string;
  priority: number;
  description: string;
  available: boolean;
  device?: DeviceInfo;
  reason?: string;
}

export interface BackendRegistry {
  /** Add a plugin. A second plugin with the same name is an error. */
  register(plugin: BackendPlugin): BackendRegistry;
  /** Registered plugins, highest priority first. */
  list(): BackendPlugin[];
  get(name: string): BackendPlugin | undefined;
  /** Run a plugin's init at most once; concurrent callers share the same promise. */
  init(name: string): Promise<InitOutcome>;
  /**
   * Pick and activate a backend: `options.backend` > `TFBRICKS_BACKEND` > priority.
   * A named backend that fails is an error (never a silent fallback).
   */
  resolve(options?: { backend?: string }): Promise<ResolvedBackend>;
  /** Initialise every plugin and report which are usable and why not. */
  status(): Promise<BackendStatus[]>;
  /**
   * The backend `resolve()` would pick by priority (the "auto" rule, including a fast CPU
   * backend preferred over a software GPU adapter), without activating it; null when none is
   * usable. `TFBRICKS_BACKEND` is not consulted.
   */
  automaticChoice(): Promise<ResolvedBackend | null>;
}

const AUTO = 'auto';

/**
 * `@tensorflow/tfjs-core` itself, loaded on the first `setBackend` (never at import: a CLI's
 * `--version` and `--help` and a page that only lists plugins do not pay for loading tfjs).
 * `getBackend` is only asked after a `setBackend`, so it answers from the loaded module.
 */
function defaultEngine(): TfEngine {
  let tfc: typeof import('@tensorflow/tfjs-core') | undefined;
  return {
    async setBackend(name) {
      tfc ??= await import('@tensorflow/tfjs-core');
      return tfc.setBackend(name);
    },
    getBackend: () => tfc?.getBackend(),
  };
}

function validateName(value: string, what: string): string {
  const name = value.trim();
  if (name === '') throw new TfbricksError('E_BACKEND_UNKNOWN', `${what} is empty`, { usage: true });
  return name;
}

/** Create an empty backend registry. Nothing is registered until you call `register`. */
export function createBackendRegistry(options: RegistryOptions = {}): BackendRegistry {
  const plugins = new Map<string, BackendPlugin>();
  const inits = new Map<string, Promise<InitOutcome>>();
  const env = options.env ?? (typeof process !== 'undefined' ? process.env : {});
  const engine = options.engine ?? defaultEngine();

  const sorted = () => [...plugins.values()].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const names = () => sorted().map((p) => p.name);

  function init(name: string): Promise<InitOutcome> {
    const plugin = plugins.get(name);
    if (!plugin) return Promise.reject(unknownBackend(name, 'backend'));
    let pending = inits.get(name);
    if (!pending) {
      pending = (async (): Promise<InitOutcome> => {
        try {
          const result = await plugin.init();
          return { ok: true, device: result.device };
        } catch (error) {
          return { ok: false, reason: errorMessage(error), error };
        }
      })();
      inits.set(name, pending);
    }
    return pending;
  }

  function unknownBackend(name: string, source: string): TfbricksError {
    const known = names();
    return new TfbricksError(
      'E_BACKEND_UNKNOWN',
      `unknown backend "${name}" (from ${source}); registered backends: ${known.length ? known.join(', ') : '(none)'}`,
      {
        usage: true,
        hint: known.length
          ? `use one of: ${known.join(', ')}, or "auto" to pick the best available`
          : 'register a backend plugin first, e.g. registry.register(cpuBackend())',
        details: { name, registered: known },
      },
    );
  }

  /** Switch tfjs to the plugin's backend; a reason on failure. Records the device (see `activatedBackend`). */
  async function activate(plugin: BackendPlugin, device: DeviceInfo): Promise<string | undefined> {
    let switched: boolean;
    try {
      switched = await engine.setBackend(plugin.tfjsBackend);
    } catch (error) {
      return `tf.setBackend('${plugin.tfjsBackend}') failed: ${errorMessage(error)}`;
    }
    if (!switched) return `tf.setBackend('${plugin.tfjsBackend}') returned false (the tfjs backend failed to initialise)`;
    const active = engine.getBackend();
    if (active !== plugin.tfjsBackend) {
      return `tfjs reports backend "${active}" after switching to "${plugin.tfjsBackend}"`;
    }
    recordActivatedBackend({ name: plugin.name, tfjsBackend: plugin.tfjsBackend, capabilities: plugin.capabilities, device });
    return undefined;
  }

  async function resolveNamed(name: string, source: 'option' | 'env'): Promise<ResolvedBackend> {
    const from = source === 'option' ? 'the backend option' : 'TFBRICKS_BACKEND';
    const plugin = plugins.get(name);
    if (!plugin) throw unknownBackend(name, from);
    const outcome = await init(name);
    if (!outcome.ok) {
      const hint = isTfbricksError(outcome.error) && outcome.error.hint ? outcome.error.hint : undefined;
      throw new TfbricksError('E_BACKEND_INIT', `backend "${name}" (requested by ${from}) is not usable: ${outcome.reason}`, {
        cause: outcome.error,
        hint: hint ?? `fix the reason above, or choose another backend (${names().filter((n) => n !== name).join(', ') || 'none registered'}) or "auto"`,
        details: { name },
      });
    }
    const failure = await activate(plugin, outcome.device);
    if (failure) {
      throw new TfbricksError('E_BACKEND_SWITCH', `backend "${name}" (requested by ${from}) initialised but could not be activated: ${failure}`, {
        hint: 'this usually means the tfjs backend package failed to create its device; see the message above',
        details: { name },
      });
    }
    return { plugin, name, device: outcome.device, source, passedOver: [] };
  }

  /**
   * A usable CPU backend that declares itself faster than a software GPU adapter, for a GPU
   * plugin whose device is software (see `BackendCapabilities.fasterThanSoftwareGpu`).
   */
  async function fasterThanSoftwareGpu(gpu: BackendPlugin, device: DeviceInfo): Promise<BackendPlugin | undefined> {
    if (!gpu.capabilities.gpu || device.software !== true) return undefined;
    for (const other of sorted()) {
      if (other === gpu || other.priority < 0 || other.capabilities.fasterThanSoftwareGpu !== true) continue;
      if ((await init(other.name)).ok) return other;
    }
    return undefined;
  }

  /** The priority rule; `activateChosen: false` only reports what it would pick (see `automaticChoice`). */
  async function resolveByPriority(activateChosen = true): Promise<ResolvedBackend> {
    const passedOver: { name: string; reason: string }[] = [];
    let preferred: { over: string; plugin: BackendPlugin } | undefined;
    for (const plugin of sorted()) {
      if (plugin.priority < 0) {
        passedOver.push({ name: plugin.name, reason: `priority ${plugin.priority} (only used when asked for by name)` });
        continue;
      }
      const outcome = await init(plugin.name);
      if (!outcome.ok) {
        passedOver.push({ name: plugin.name, reason: outcome.reason });
        continue;
      }
      const faster = preferred ? undefined : await fasterThanSoftwareGpu(plugin, outcome.device);
      if (faster) {
        passedOver.push({ name: plugin.name, reason: `software adapter (${outcome.device.description}): ${faster.name} is faster on this CPU` });
        preferred = { over: plugin.name, plugin: faster };
        continue;
      }
      const failure = activateChosen ? await activate(plugin, outcome.device) : undefined;
      if (failure) {
        passedOver.push({ name: plugin.name, reason: failure });
        continue;
      }
      const reason = preferred?.plugin === plugin ? `faster than ${preferred.over}'s software adapter` : undefined;
      return { plugin, name: plugin.name, device: outcome.device, source: 'priority', passedOver, ...(reason ? { reason } : {}) };
    }
    const lines = passedOver.map((p) => `  [${p.name}] ${p.reason}`).join('\n');
    throw new TfbricksError(
      'E_BACKEND_NONE',
      plugins.size === 0 ? 'no backend is registered' : `no usable backend:\n${lines}`,
      {
        hint:
          plugins.size === 0
            ? 'register a backend plugin, e.g. registry.register(cpuBackend()) from @tfbricks/backend-cpu'
            : 'fix one of the reasons above; @tfbricks/backend-cpu works everywhere',
        details: { passedOver },
      },
    );
  }

  const registry: BackendRegistry = {
    register(plugin) {
      if (!plugin || typeof plugin.name !== 'string' || typeof plugin.init !== 'function') {
        throw new TfbricksError('E_BACKEND_PLUGIN', 'register() needs a backend plugin object with a name and an init() function');
      }
      if (plugins.has(plugin.name)) {
        throw new TfbricksError('E_BACKEND_DUPLICATE', `a backend named "${plugin.name}" is already registered`, {
          hint: 'register each backend plugin once per registry',
        });
      }
      plugins.set(plugin.name, plugin);
      return registry;
    },
    list: sorted,
    get: (name) => plugins.get(name),
    init,
    async resolve(opts = {}) {
      if (opts.backend !== undefined) {
        const name = validateName(opts.backend, 'the backend option');
        if (name !== AUTO) return resolveNamed(name, 'option');
      } else {
        const fromEnv = env.TFBRICKS_BACKEND;
        if (fromEnv !== undefined && fromEnv.trim() !== '' && fromEnv.trim() !== AUTO) {
          return resolveNamed(fromEnv.trim(), 'env');
        }
      }
      return resolveByPriority();
    },
    async status() {
      const out: BackendStatus[] = [];
      for (const plugin of sorted()) {
        const outcome = await init(plugin.name);
        out.push(
          outcome.ok
            ? { name: plugin.name, priority: plugin.priority, description: plugin.description, available: true, device: outcome.device }
            : { name: plugin.name, priority: plugin.priority, description: plugin.description, available: false, reason: outcome.reason },
        );
      }
      return out;
    },
    async automaticChoice() {
      try {
        return await resolveByPriority(false);
      } catch (error) {
        if (isTfbricksError(error) && error.code === 'E_BACKEND_NONE') return null;
        throw error;
      }
    },
  };
  return registry;
}

/** One line saying which backend was chosen and why others were passed over. */
export function describeResolution(resolved: ResolvedBackend): string {
  const why =
    resolved.source === 'option'
      ? 'requested explicitly'
      : resolved.source === 'env'
        ? 'from TFBRICKS_BACKEND'
        : (resolved.reason ?? 'highest priority available');
  const passed = resolved.passedOver.length
    ? `; passed over: ${resolved.passedOver.map((p) => `[${p.name}] ${p.reason}`).join('; ')}`
    : '';
  return `backend: ${resolved.name} (${why}) on ${resolved.device.description}${passed}`;
}
