/** One split as loaded: `images` is N×32×32×3 bytes (NHWC), `labels` N class indices. */
export interface CifarSplitData {
  images: Uint8Array;
  labels: Uint8Array;
}

/** What a progress callback receives. */
export interface ProgressEvent {
  /** `download` (bytes from the network), `verify` (hashing a cached archive), `extract`, `parse`. */
  phase: 'download' | 'verify' | 'extract' | 'parse';
  /** Dataset name, e.g. `cifar10`. */
  dataset: string;
  /** Bytes done so far in this phase (downloaded, hashed, read from the archive, or parsed). */
  done: number;
  /** Total bytes of this phase, when known. */
  total: number | undefined;
  /** Bytes per second since the phase started. */
  rate: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds: number | undefined;
  /** True on the last event of the phase. */
  finished: boolean;
}

export type ProgressCallback = (event: ProgressEvent) => void;
