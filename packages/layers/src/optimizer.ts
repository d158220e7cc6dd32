import { ADAM_UPDATE_KERNEL, TfbricksError } from '@tfbricks/core';
import type { AdamUpdateAttrs, AdamUpdateInputs } from '@tfbricks/core';
import * as tfc from '@tensorflow/tfjs-core';

type NamedTensor = { name: string; tensor: tfc.Tensor };

/**
 * Base for optimizers with Keras' update rules. Slots are keyed by variable name (not by
 * position), and `getWeights()` names them `<variable>/<slot>`, so state can be moved to a
 * rebuilt model by renaming.
 */
export abstract class KerasOptimizer extends tfc.Optimizer {
  protected readonly slots = new Map<string, Map<string, tfc.Variable>>();

  constructor(
    readonly learningRate: number,
    /** Keras' legacy time-based decay: `lr / (1 + decay * iterations)`. */
    readonly decay: number,
  ) {
    super();
  }

  /** Slot names, in the order Keras saves them (all of the first slot, then the second…). */
  protected abstract readonly slotNames: readonly string[];

  /** One update inside a tidy; `lr` already includes decay, `t` is the 1-based step. */
  protected abstract update(variable: tfc.Variable, gradient: tfc.Tensor, slots: Map<string, tfc.Variable>, lr: number, t: number): void;

  protected slotsFor(name: string, variable: tfc.Variable): Map<string, tfc.Variable> {
    let s = this.slots.get(name);
    if (!s) {
      s = new Map();
      this.slots.set(name, s);
    }
    for (const slot of this.slotNames) {
      if (!s.has(slot)) s.set(slot, tfc.tidy(() => tfc.zerosLike(variable).variable(false)));
    }
    return s;
  }

  applyGradients(variableGradients: tfc.NamedTensorMap | NamedTensor[]): void {
    const pairs: [string, tfc.Tensor][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const iteration = this.iterations;
    const lr = this.decay > 0 ? this.learningRate / (1 + this.decay * iteration) : this.learningRate;
    const t = iteration + 1;
    tfc.tidy(() => {
      for (const [name, gradient] of pairs) {
        if (gradient == null) continue;
        const variable = tfc.engine().registeredVariables[name];
        if (!variable) throw new TfbricksError('E_OPTIMIZER', `optimizer: no variable named "${name}"`);
        this.update(variable, gradient, this.slotsFor(name, variable), lr, t);
      }
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const slot of this.slotNames) {
      for (const [name, s] of this.slots) out.push({ name: `${name}/${slot}`, tensor: s.get(slot)! });
    }
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const varName = name.slice(0, cut);
      const slot = name.slice(cut + 1);
      if (cut < 0 || !this.slotNames.includes(slot)) {
        throw new TfbricksError('E_OPTIMIZER', `optimizer ${this.getClassName()}: unexpected state "${name}"`, { hint: `slots are ${this.slotNames.join(', ')}` });
      }
      let s = this.slots.get(varName);
      if (!s) {
        s = new Map();
        this.slots.set(varName, s);
      }
      s.get(slot)?.dispose();
      s.set(slot, tensor.clone().variable(false));
    }
  }

  override dispose(): void {
    for (const s of this.slots.values()) for (const v of s.values()) v.dispose();
    this.slots.clear();
  }
}

/**
 * Adam with Keras' update (Keras 2.0 `optimizers.Adam` and tf.keras 2.x): epsilon is
 * Kingma & Ba's "epsilon hat", added to `sqrt(v)` after folding the bias corrections into
 * the step size: `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`,
 * `p -= lr_t * m / (sqrt(v) + epsilon)`. (tfjs' `tf.train.adam` adds epsilon to
 * `sqrt(v_hat)` instead, an effectively smaller epsilon early in training.) Where the active
 * backend registers core's `TfbricksAdamUpdate` kernel (`@tfbricks/backend-webgpu` does), the
 * update of each float32 variable runs as that one kernel; elsewhere as the ops below.
 */
export class KerasAdam extends KerasOptimizer {
  static readonly className = 'KerasAdam';
  protected readonly slotNames = ['m', 'v'] as const;

  constructor(
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
    decay = 0,
  ) {
    super(learningRate, decay);
  }

  protected update(p: tfc.Variable, g: tfc.Tensor, s: Map<string, tfc.Variable>, lr: number, t: number): void {
    const m = s.get('m')!;
    const v = s.get('v')!;
    const lrT = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    if (p.dtype === 'float32' && g.dtype === 'float32' && tfc.getKernel(ADAM_UPDATE_KERNEL, tfc.getBackend())) {
      // The active backend provides the whole update as one kernel (webgpu: 3 programs).
      const inputs: AdamUpdateInputs<tfc.Tensor> = { variable: p, gradient: g, m, v };
      const attrs: AdamUpdateAttrs = { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, lrT };
      const [mNext, vNext, pNext] = tfc.engine().runKernel(ADAM_UPDATE_KERNEL, inputs as unknown as tfc.NamedTensorMap, attrs as unknown as tfc.NamedAttrMap) as tfc.Tensor[];
      m.assign(mNext!);
      v.assign(vNext!);
      p.assign(pNext!);
      return;
    }
    const mT = tfc.add(tfc.mul(m, this.beta1), tfc.mul(g, 1 - this.beta1));
    const vT = tfc.add(tfc.mul(v, this.beta2), tfc.mul(tfc.square(g), 1 - this.beta2));
    m.assign(mT);
    v.assign(vT);
    p.assign(tfc.sub(p, tfc.mul(tfc.div(mT, tfc.add(tfc.sqrt(vT), this.epsilon)), lrT)));
  }

  override getConfig() {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, decay: this.decay };
  }
}

/** Keras SGD: `v = momentum * v - lr * g; p += v` (Nesterov: `p += momentum * v - lr * g`). */
export class KerasSGD extends KerasOptimizer {
  static readonly className = 'KerasSGD';
  protected readonly slotNames: readonly string[];

  constructor(
    learningRate: number,
    readonly momentum = 0,
    readonly nesterov = false,
    decay = 0,
  ) {
    super(learningRate, decay);
    this.slotNames = momentum > 0 ? ['momentum'] : [];
  }

  protected update(p: tfc.Variable, g: tfc.Tensor, s: Map<string, tfc.Variable>, lr: number): void {
    if (this.momentum === 0) {
      p.assign(tfc.sub(p, tfc.mul(g, lr)));
      return;
    }
    const vel = s.get('momentum')!;
    const vT = tfc.sub(tfc.mul(vel, this.momentum), tfc.mul(g, lr));
    vel.assign(vT);
    p.assign(this.nesterov ? tfc.add(p, tfc.sub(tfc.mul(vT, this.momentum), tfc.mul(g, lr))) : tfc.add(p, vT));
  }

  override getConfig() {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov, decay: this.decay };
  }
}

/** Keras RMSprop (no momentum): `a = rho * a + (1 - rho) * g^2; p -= lr * g / (sqrt(a) + epsilon)`. */
export class KerasRMSprop extends KerasOptimizer {
  static readonly className = 'KerasRMSprop';
  protected readonly slotNames = ['rms'] as const;

  constructor(
    learningRate: number,
    readonly rho = 0.9,
    readonly epsilon = 1e-7,
    decay = 0,
  ) {
    super(learningRate, decay);
  }

  protected update(p: tfc.Variable, g: tfc.Tensor, s: Map<string, tfc.Variable>, lr: number): void {
    const a = s.get('rms')!;
    const aT = tfc.add(tfc.mul(a, this.rho), tfc.mul(tfc.square(g), 1 - this.rho));
    a.assign(aT);
    p.assign(tfc.sub(p, tfc.mul(tfc.div(g, tfc.add(tfc.sqrt(aT), this.epsilon)), lr)));
  }

  override getConfig() {
    return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon, decay: this.decay };
  }
}

/** Keras Adamax: `m = β1·m + (1−β1)·g; u = max(β2·u, |g|); p −= lr/(1−β1ᵗ) · m/(u + ε)`. */
export class KerasAdamax extends KerasOptimizer {
  static readonly className = 'KerasAdamax';
  protected readonly slotNames = ['m', 'u'] as const;

  constructor(
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
    decay = 0,
  ) {
    super(learningRate, decay);
  }

  protected update(p: tfc.Variable, g: tfc.Tensor, s: Map<string, tfc.Variable>, lr: number, t: number): void {
    const m = s.get('m')!;
    const u = s.get('u')!;
    const lrT = lr / (1 - this.beta1 ** t);
    const mT = tfc.add(tfc.mul(m, this.beta1), tfc.mul(g, 1 - this.beta1));
    const uT = tfc.maximum(tfc.mul(u, this.beta2), tfc.abs(g));
    m.assign(mT);
    u.assign(uT);
    p.assign(tfc.sub(p, tfc.mul(tfc.div(mT, tfc.add(uT, this.epsilon)), lrT)));
  }

  override getConfig() {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, decay: this.decay };
  }
}

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad' | 'adadelta' | 'adamax';

export interface OptimizerOptions {
  learningRate: number;
  /** Adam/Adamax (Keras defaults 0.9, 0.999). */
  beta1?: number;
  beta2?: number;
  /** Default 1e-7 (Keras 2.3+ / tf.keras; Keras 2.0 used 1e-8 for Adam and RMSprop). */
  epsilon?: number;
  /** SGD momentum (default 0) and Nesterov (default false). */
  momentum?: number;
  nesterov?: boolean;
  /** RMSprop/Adadelta rho (Keras defaults 0.9 / 0.95). */
  rho?: number;
  /** Keras' legacy time decay `lr / (1 + decay * iterations)` (adam, sgd, rmsprop; default 0). */
  decay?: number;
  /** Adagrad initial accumulator (Keras default 0.1). */
  initialAccumulatorValue?: number;
}

const ALLOWED: Record<OptimizerName, (keyof OptimizerOptions)[]> = {
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
  sgd: ['learningRate', 'momentum', 'nesterov', 'decay'],
  rmsprop: ['learningRate', 'rho', 'epsilon', 'decay'],
  adagrad: ['learningRate', 'initialAccumulatorValue'],
  adadelta: ['learningRate', 'rho', 'epsilon'],
  adamax: ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
};

/** Names accepted by {@link createOptimizer}. */
export const optimizerNames = Object.keys(ALLOWED) as OptimizerName[];

/**
 * An optimizer with Keras' defaults and update rules. `adam`, `sgd`, `rmsprop` and `adamax`
 * follow Keras' formulas exactly (see {@link KerasAdam}); `adagrad` and `adadelta` are tfjs'
 * with Keras' default hyper-parameters.
 */
export function createOptimizer(name: OptimizerName | string, options: OptimizerOptions): tfc.Optimizer {
  const key = String(name).toLowerCase() as OptimizerName;
  const allowed = ALLOWED[key];
  if (!allowed) {
    throw new TfbricksError('E_USAGE', `unknown optimizer "${name}"; allowed: ${optimizerNames.join(', ')}`, { usage: true });
  }
  if (typeof options !== 'object' || options === null) {
    throw new TfbricksError('E_USAGE', `optimizer "${key}": options must be an object with learningRate`, { usage: true });
  }
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (!allowed.includes(k as keyof OptimizerOptions)) {
      throw new TfbricksError('E_USAGE', `optimizer "${key}": unknown option "${k}" (value ${JSON.stringify(v)}); allowed: ${allowed.join(', ')}`, { usage: true });
    }
    if (k === 'nesterov' ? typeof v !== 'boolean' : typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new TfbricksError('E_USAGE', `optimizer "${key}": "${k}" must be ${k === 'nesterov' ? 'true or false' : 'a finite number >= 0'}, got ${JSON.stringify(v)}`, { usage: true });
    }
  }
  const lr = options.learningRate;
  if (typeof lr !== 'number' || !(lr > 0)) {
    throw new TfbricksError('E_USAGE', `optimizer "${key}": "learningRate" must be a number > 0, got ${JSON.stringify(lr)}`, { usage: true });
  }
  for (const b of ['beta1', 'beta2', 'rho'] as const) {
    const v = options[b];
    if (v !== undefined && !(v < 1)) throw new TfbricksError('E_USAGE', `optimizer "${key}": "${b}" must be in [0, 1), got ${v}`, { usage: true });
  }
  const eps = options.epsilon ?? 1e-7;
  switch (key) {
    case 'adam':
      return new KerasAdam(lr, options.beta1 ?? 0.9, options.beta2 ?? 0.999, eps, options.decay ?? 0);
    case 'sgd':
      return new KerasSGD(lr, options.momentum ?? 0, options.nesterov ?? false, options.decay ?? 0);
    case 'rmsprop':
      return new KerasRMSprop(lr, options.rho ?? 0.9, eps, options.decay ?? 0);
    case 'adagrad':
      return tfc.train.adagrad(lr, options.initialAccumulatorValue ?? 0.1);
    case 'adadelta':
      return tfc.train.adadelta(lr, options.rho ?? 0.95, eps);
    case 'adamax':
      return new KerasAdamax(lr, options.beta1 ?? 0.9, options.beta2 ?? 0.999, eps, options.decay ?? 0);
  }
}

/** `[name, options]` to recreate an optimizer made by {@link createOptimizer}, or undefined. */
export function describeOptimizer(optimizer: tfc.Optimizer): { name: OptimizerName; options: OptimizerOptions } | undefined {
  const c = optimizer.getConfig() as Record<string, number | boolean>;
  // Not instanceof: tfjs' Optimizer overrides Symbol.hasInstance with duck typing.
  const cls = optimizer.getClassName();
  if (cls === KerasAdam.className) return { name: 'adam', options: c as unknown as OptimizerOptions };
  if (cls === KerasSGD.className) return { name: 'sgd', options: c as unknown as OptimizerOptions };
  if (cls === KerasRMSprop.className) return { name: 'rmsprop', options: c as unknown as OptimizerOptions };
  if (cls === KerasAdamax.className) return { name: 'adamax', options: c as unknown as OptimizerOptions };
  if (cls === 'Adagrad') return { name: 'adagrad', options: { learningRate: c.learningRate as number, initialAccumulatorValue: c.initialAccumulatorValue as number } };
  if (cls === 'Adadelta') return { name: 'adadelta', options: { learningRate: c.learningRate as number, rho: c.rho as number, epsilon: c.epsilon as number } };
  return undefined;
}
