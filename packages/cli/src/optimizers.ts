/** Optimizer names `--optimizer` accepts (tfjs' built-in optimizers, Keras' names). */
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adadelta', 'adamax'] as const;
