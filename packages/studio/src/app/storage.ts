// Browser storage (IndexedDB) for the studio: the dataset archive, so a reload does not ask
// for it again, and the current run (its settings, history and the latest checkpoint).
import type { SavedModelFiles } from '@tfbricks/layers';
import type { RunConfig } from './protocol';

const DB_NAME = 'tfbricks-studio';
const DB_VERSION = 1;
const STORES = ['archives', 'runs'] as const;
type Store = (typeof STORES)[number];

/** The archive the page last loaded. */
export interface StoredArchive {
  name: string;
  dataset: 'cifar10' | 'cifar100';
  labelMode?: 'fine' | 'coarse';
  blob: Blob;
}

/** The run in progress or last finished: enough to resume it exactly. */
export interface StoredRun {
  config: RunConfig;
  /** Epochs finished and checkpointed. */
  epochsDone: number;
  status: 'running' | 'paused' | 'stopped' | 'done';
  history: { epoch: number[]; history: Record<string, number[]> };
  /** The saved model (model.json with the training position in its metadata, weights, optimizer state). */
  checkpoint?: SavedModelFiles;
  /** Per epoch: the confusion matrix on the test images. */
  confusion?: number[][];
  savedAt: string;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      for (const s of STORES) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB cannot be opened'));
  });
}

async function withStore<T>(store: Store, mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error ?? new Error(`IndexedDB ${store}: transaction failed`));
      tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${store}: transaction aborted (storage full?)`));
    });
  } finally {
    db.close();
  }
}

export const putArchive = (a: StoredArchive) => withStore('archives', 'readwrite', (s) => s.put(a, 'current')).then(() => undefined);
export const getArchive = () => withStore<StoredArchive | undefined>('archives', 'readonly', (s) => s.get('current'));
export const deleteArchive = () => withStore('archives', 'readwrite', (s) => s.delete('current')).then(() => undefined);
export const putRun = (r: StoredRun) => withStore('runs', 'readwrite', (s) => s.put(r, 'current')).then(() => undefined);
export const getRun = () => withStore<StoredRun | undefined>('runs', 'readonly', (s) => s.get('current'));
export const deleteRun = () => withStore('runs', 'readwrite', (s) => s.delete('current')).then(() => undefined);
