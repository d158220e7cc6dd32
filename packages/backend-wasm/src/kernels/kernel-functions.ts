/** The kernel module's functions the pool's workers can run, by number (one list for the runtime and the workers). */
export const KERNEL_FUNCTIONS = ['filter_grad', 'conv_forward', 'pad_copy', 'max_pool_grad', 'wino_fused', 'wgrad_fused'] as const;

export type KernelFunction = (typeof KERNEL_FUNCTIONS)[number];
