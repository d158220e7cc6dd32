import { usageError } from '@tfbricks/core';
import { println } from '../io';
import type { CommandContext } from '../command';

function deviceDetails(device: Record<string, unknown>): string[] {
  return Object.entries(device)
    .filter(([key, value]) => key !== 'description' && value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

/** `tfbricks backends`: every registered backend, available or not and why. */
export async function backendsCommand(ctx: CommandContext): Promise<number> {
  const { io, registry, opts } = ctx;
  if (ctx.args.length) throw usageError('E_USAGE', `unexpected argument ${JSON.stringify(ctx.args[0])} for tfbricks backends (allowed: no positional arguments)`);
  const statuses = await registry.status();
  const fromEnv = io.env.TFBRICKS_BACKEND?.trim();
  const chosen = await registry.automaticChoice();
  const auto = chosen?.name ?? null;
  if (opts.json) {
    println(io.stdout, JSON.stringify({ backends: statuses, auto, autoReason: chosen?.reason ?? null, env: fromEnv ?? null }, null, 2));
    return 0;
  }
  for (const s of statuses) {
    println(io.stdout, `${s.available ? '✔' : '✘'} ${s.name} (priority ${s.priority}) — ${s.available ? 'available' : 'not available'}`);
    println(io.stdout, `    ${s.description}`);
    if (s.available && s.device) {
      println(io.stdout, `    device: ${s.device.description}`);
      for (const line of deviceDetails(s.device)) println(io.stdout, `      ${line}`);
    } else if (s.reason) {
      for (const line of s.reason.split('\n')) println(io.stdout, `    why: ${line}`);
    }
  }
  const why = chosen?.reason ? ` (${chosen.reason})` : '';
  println(io.stdout, `automatic choice: ${auto ?? '(none available)'}${why}${fromEnv ? `; TFBRICKS_BACKEND=${fromEnv}` : ''}`);
  return 0;
}
