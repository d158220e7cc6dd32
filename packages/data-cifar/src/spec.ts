/**
 * The on-disk formats of the two datasets (binary versions), their official sources and
 * class names. Everything the loaders validate against lives here.
 */

/** Image side and channels of every CIFAR record. */
export const IMAGE_HEIGHT = 32;
export const IMAGE_WIDTH = 32;
export const IMAGE_CHANNELS = 3;
/** Pixel bytes of one image (3 planes of 32×32). */
export const IMAGE_BYTES = IMAGE_HEIGHT * IMAGE_WIDTH * IMAGE_CHANNELS;

export type CifarName = 'cifar10' | 'cifar100';
export type SplitName = 'train' | 'test';

/** Records per split, e.g. `{ train: 50000, test: 10000 }`. */
export interface SplitRecords {
  train: number;
  test: number;
}

export interface OfficialSource {
  url: string;
  /** Archive size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the archive. */
  sha256: string;
}

export interface CifarSpec {
  name: CifarName;
  /** Human name for messages. */
  title: string;
  /** Folder inside the archive holding the data files. */
  folder: string;
  /** Archive file name (as published). */
  archiveName: string;
  /** Data files of each split, in record order. */
  files: Record<SplitName, readonly string[]>;
  /** Small metadata files the official archive also carries (accepted, bounded size, not needed). */
  metadataFiles: readonly string[];
  /** Label bytes before the pixels of each record. */
  labelBytes: number;
  /** Exclusive upper bound of each label byte, in record order (e.g. [20, 100] = coarse, fine). */
  labelLimits: readonly number[];
  /** Names of each label byte (for messages), in record order. */
  labelNames: readonly string[];
  /** Official records per split. */
  records: SplitRecords;
  source: OfficialSource;
}

/** Largest metadata file accepted from an archive (the official ones are < 2 KiB). */
export const MAX_METADATA_BYTES = 64 * 1024;

export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

export const CIFAR100_COARSE_CLASS_NAMES: readonly string[] = Object.freeze([
  'aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores',
  'large_man-made_outdoor_things', 'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores',
  'medium_mammals', 'non-insect_invertebrates', 'people', 'reptiles', 'small_mammals', 'trees',
  'vehicles_1', 'vehicles_2',
]);

export const CIFAR100_FINE_CLASS_NAMES: readonly string[] = Object.freeze([
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
]);

export const CIFAR10_SPEC: CifarSpec = Object.freeze({
  name: 'cifar10',
  title: 'CIFAR-10',
  folder: 'cifar-10-batches-bin',
  archiveName: 'cifar-10-binary.tar.gz',
  files: {
    train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
    test: ['test_batch.bin'],
  },
  metadataFiles: ['batches.meta.txt', 'readme.html'],
  labelBytes: 1,
  labelLimits: [10],
  labelNames: ['label'],
  records: { train: 50_000, test: 10_000 },
  source: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    size: 170_052_171,
    sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  },
}) as CifarSpec;

/**
 * CIFAR-100 binary: records of 3,074 bytes (coarse label, fine label, 3,072 pixels).
 * Size and SHA-256 of the archive: TensorFlow Datasets' `url_checksums/cifar100.txt`
 * (168,513,733 bytes, 58a81ae1…), confirmed by an independent Go loader (gomlx).
 */
export const CIFAR100_SPEC: CifarSpec = Object.freeze({
  name: 'cifar100',
  title: 'CIFAR-100',
  folder: 'cifar-100-binary',
  archiveName: 'cifar-100-binary.tar.gz',
  files: { train: ['train.bin'], test: ['test.bin'] },
  metadataFiles: ['coarse_label_names.txt', 'fine_label_names.txt'],
  labelBytes: 2,
  labelLimits: [20, 100],
  labelNames: ['coarse label', 'fine label'],
  records: { train: 50_000, test: 10_000 },
  source: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    size: 168_513_733,
    sha256: '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec',
  },
}) as CifarSpec;

export function recordBytes(spec: CifarSpec): number {
  return spec.labelBytes + IMAGE_BYTES;
}

/**
 * Expected bytes of every data file for the given records per split. A split's records are
 * spread evenly over its files (CIFAR-10: 5 training batches of 10,000).
 */
export function expectedFileSizes(spec: CifarSpec, records: SplitRecords): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const split of ['train', 'test'] as const) {
    const files = spec.files[split];
    const perFile = records[split] / files.length;
    for (const f of files) sizes.set(f, perFile * recordBytes(spec));
  }
  return sizes;
}
