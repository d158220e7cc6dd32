/** What a backend can do. */
export interface BackendCapabilities {
  /** Gradients and optimizers work (it can train, not only infer). */
  training: boolean;
  /** Full float32 precision for matmul/conv (not float16 storage). */
  float32: boolean;
  /** Runs on a GPU (hardware or a software rasteriser such as lavapipe). */
  gpu: boolean;
  /**
   * A CPU backend that outruns a software GPU adapter (lavapipe, SwiftShader) on the cores
   * that adapter emulates: automatic selection then passes over a GPU backend whose device
   * reports `software: true` in favour of this one (a backend asked for by name still wins).
   */
  fasterThanSoftwareGpu?: boolean;
}

/** Description of the device a backend runs on, filled in by `init()`. */
export interface DeviceInfo {
  /** One line for humans, e.g. `WebGPU: mesa llvmpipe (software adapter)`. */
  description: string;
  vendor?: string;
  architecture?: string;
  /** True for a software/fallback adapter (lavapipe, SwiftShader, WARP). */
  software?: boolean;
  /** Anything else worth showing in `tfbricks backends`. */
  [key: string]: unknown;
}

/** Result of a successful {@link BackendPlugin.init}. */
export interface BackendInitResult {
  device: DeviceInfo;
}

/**
 * A compute backend. A package exports a factory returning one of these; importing the
 * package registers nothing. Heavy or optional dependencies must be imported lazily
 * inside {@link BackendPlugin.init}.
 */
export interface BackendPlugin {
  /** tfbricks name, used by `TFBRICKS_BACKEND` and `--backend` (e.g. `webgpu`). */
  readonly name: string;
  /** The tfjs backend name that `init()` registers and the registry activates. */
  readonly tfjsBackend: string;
  /** Higher wins automatic selection; a negative priority is never picked automatically. */
  readonly priority: number;
  readonly capabilities: BackendCapabilities;
  /** One line describing the plugin. */
  readonly description: string;
  /**
   * Load dependencies, register the tfjs backend and probe the device. Throws (ideally a
   * `TfbricksError` with a hint) with the reason when this backend is unusable here.
   * The registry calls it at most once per registry.
   */
  init(): Promise<BackendInitResult>;
}
