import { TfbricksError, allowBuildHint, detectPackageManager, errorMessage, installCommand, rebuildCommand } from '@tfbricks/core';

/** The npm package this backend loads lazily. */
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

/** CUDA/cuDNN versions that @tensorflow/tfjs-node-gpu 4.x (libtensorflow 2.x) was built against. */
export const CUDA_REQUIREMENT = 'CUDA 11.2 and cuDNN 8.1';

/** Why the cuda backend cannot run; stable, for programs (`error.details.kind`). */
export type CudaFailureKind =
  | 'not-installed'
  | 'dependency-missing'
  | 'addon-not-built'
  | 'cuda-library-missing'
  | 'cudnn-library-missing'
  | 'libtensorflow-missing'
  | 'native-load-failed'
  | 'load-failed'
  | 'no-backend-registered'
  | 'no-gpu';

/** How to install @tensorflow/tfjs-node-gpu, in the words of the user's package manager. */
export function installHint(): string {
  const pm = detectPackageManager();
  const allow = allowBuildHint(TFJS_NODE_GPU, pm);
  return (
    `install it: ${installCommand([TFJS_NODE_GPU], pm)} (Linux x64 with an NVIDIA GPU, ${CUDA_REQUIREMENT}). ` +
    (allow ? `Its install script downloads libtensorflow with GPU support; ${allow}, then \`${rebuildCommand(TFJS_NODE_GPU, pm)}\`. ` : '') +
    'Without an NVIDIA GPU use the webgpu or cpu backend.'
  );
}

function rebuildHint(): string {
  const pm = detectPackageManager();
  const allow = allowBuildHint(TFJS_NODE_GPU, pm);
  return allow
    ? `the native addon of ${TFJS_NODE_GPU} was not built or downloaded, usually because ${pm} blocked its install script: ${allow}, then \`${rebuildCommand(TFJS_NODE_GPU, pm)}\``
    : `the native addon of ${TFJS_NODE_GPU} was not built or downloaded (its install script downloads libtensorflow): run \`${rebuildCommand(TFJS_NODE_GPU, pm)}\` with network access`;
}

const CUDA_HINT =
  `${TFJS_NODE_GPU} 4.x needs ${CUDA_REQUIREMENT} exactly (newer major versions do not work): install the CUDA 11.2 toolkit ` +
  'libraries (libcudart.so.11.0, libcublas, libcufft, libcurand, libcusolver, libcusparse) and cuDNN 8.1 (libcudnn.so.8), ' +
  'and put their directories on LD_LIBRARY_PATH (e.g. /usr/local/cuda-11.2/lib64), or use a CUDA 11.2 container image';

const SHARED_LIBRARY = /([A-Za-z0-9_.+-]+\.(?:so(?:\.[0-9]+)*|dylib|dll))\s*:\s*cannot open shared object file/;
const WINDOWS_DLL = /The specified module could not be found|dlopen\(|Library not loaded|cannot open shared object file|invalid ELF header|wrong ELF class|undefined symbol/i;

interface NodeLikeError {
  code?: unknown;
  message?: unknown;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as NodeLikeError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// Node (ESM and CJS) and Vite/vitest's module runner word "not installed" differently.
const NOT_FOUND = /(?:Cannot find (?:module|package)|Could not resolve|Failed to load url) ['"]?([^'"\s]+)['"]?/;

/** The package a "module not found" error is about, if it says. */
export function missingModuleName(error: unknown): string | undefined {
  const message = errorMessage(error);
  const quoted = NOT_FOUND.exec(message);
  if (quoted) {
    const spec = quoted[1].replace(/\\/g, '/');
    const inNodeModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(spec);
    if (inNodeModules) return inNodeModules[1];
    if (spec.startsWith('.') || spec.startsWith('/') || /^[A-Za-z]:/.test(spec)) return spec;
    const parts = spec.split('/');
    return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  }
  return undefined;
}

function isModuleNotFound(error: unknown): boolean {
  const code = codeOf(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  return NOT_FOUND.test(errorMessage(error));
}

function failure(kind: CudaFailureKind, message: string, hint: string, cause: unknown, extra: Record<string, unknown> = {}): TfbricksError {
  return new TfbricksError('E_BACKEND_INIT', message, { hint, cause, details: { backend: 'cuda', kind, ...extra } });
}

/**
 * Turn whatever `import('@tensorflow/tfjs-node-gpu')` threw into a TfbricksError that
 * says what is wrong and how to fix it.
 */
export function classifyLoadError(error: unknown): TfbricksError {
  const message = errorMessage(error);
  if (isModuleNotFound(error)) {
    const missing = missingModuleName(error);
    if (missing === undefined || missing === TFJS_NODE_GPU) {
      return failure('not-installed', `${TFJS_NODE_GPU} is not installed (${message.split('\n')[0]})`, installHint(), error);
    }
    return failure(
      'dependency-missing',
      `${TFJS_NODE_GPU} is installed but its dependency "${missing}" is missing (${message.split('\n')[0]})`,
      `reinstall it so its dependencies are complete: ${installCommand([TFJS_NODE_GPU])}, and keep @tensorflow/tfjs-core at the same version (4.22.x)`,
      error,
      { missing },
    );
  }
  if (/tfjs_binding\.node/.test(message) && /can ?not be found|cannot find|not found/i.test(message)) {
    return failure('addon-not-built', `${TFJS_NODE_GPU} is installed but its native addon (tfjs_binding.node) is missing`, rebuildHint(), error);
  }
  const library = SHARED_LIBRARY.exec(message)?.[1];
  if (library) {
    if (/^libcudnn/.test(library)) {
      return failure(
        'cudnn-library-missing',
        `${TFJS_NODE_GPU}'s native binding could not load ${library} (cuDNN): ${message.split('\n')[0]}`,
        CUDA_HINT,
        error,
        { library },
      );
    }
    if (/^lib(cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|nvinfer|cupti)/.test(library)) {
      return failure(
        'cuda-library-missing',
        `${TFJS_NODE_GPU}'s native binding could not load ${library} (CUDA runtime): ${message.split('\n')[0]}`,
        CUDA_HINT,
        error,
        { library },
      );
    }
    if (/^libtensorflow/.test(library)) {
      return failure(
        'libtensorflow-missing',
        `${TFJS_NODE_GPU}'s native binding could not load ${library}: ${message.split('\n')[0]}`,
        rebuildHint(),
        error,
        { library },
      );
    }
    return failure(
      'native-load-failed',
      `${TFJS_NODE_GPU}'s native binding could not load ${library}: ${message.split('\n')[0]}`,
      `${CUDA_HINT}; if the library is present, check that LD_LIBRARY_PATH includes its directory`,
      error,
      { library },
    );
  }
  if (WINDOWS_DLL.test(message) || codeOf(error) === 'ERR_DLOPEN_FAILED') {
    return failure('native-load-failed', `${TFJS_NODE_GPU}'s native binding failed to load: ${message.split('\n')[0]}`, `${CUDA_HINT}; ${rebuildHint()}`, error);
  }
  return failure(
    'load-failed',
    `importing ${TFJS_NODE_GPU} failed: ${message.split('\n')[0]}`,
    `reinstall it (${installCommand([TFJS_NODE_GPU])}, then ${rebuildCommand(TFJS_NODE_GPU)}); it needs ${CUDA_REQUIREMENT} on Linux x64`,
    error,
  );
}
