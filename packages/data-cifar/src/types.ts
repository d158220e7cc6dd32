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

/** How progress is printed: `auto` = a bar on a terminal, lines otherwise; `false` = not at all. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | false;

/** Where the data came from. */
export interface CifarSource {
  /** `dataDir`: a folder given by the caller; `cache`: an earlier extraction; `archive`: a local archive extracted now; `download`: fetched now. */
  kind: 'dataDir' | 'cache' | 'archive' | 'download';
  /** The folder the records were read from. */
  path: string;
  /** SHA-256 of the archive, when one was involved. */
  sha256?: string;
  /** The URL fetched (kind `download`). */
  url?: string;
}

/** What {@link loadCifar10} / {@link loadCifar100} return (Keras' `load_data()`, NHWC uint8). */
export interface CifarData {
  name: 'cifar10' | 'cifar100';
  train: CifarSplitData;
  test: CifarSplitData;
  /** Class names in label order. */
  classNames: readonly string[];
  /** `[32, 32, 3]`. */
  imageShape: readonly [number, number, number];
  /** CIFAR-100: which labels `labels` holds. */
  labelMode?: 'fine' | 'coarse';
  source: CifarSource;
}
