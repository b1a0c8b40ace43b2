/**
 * GPU-free checks of researcher WGSL against its declared bindings and workgroup size. The
 * orchestrator can run them at submit time; workers run them again before compiling.
 *
 * This is a scan of declarations, not a WGSL parser: the compiler (./compile.ts) remains the
 * authority on the code itself. Its job is to refuse what the worker will not bind (uniforms,
 * textures, other groups, undeclared or mis-declared bindings) with an error that says which.
 */
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import type { CustomInput } from './payload.ts';

/** `details.reason` of the KernelCompileFailed errors raised here and in ./compile.ts. */
export const CustomKernelReason = {
  Compile: 'compile',
  Pipeline: 'pipeline',
  BindingUndeclared: 'binding-undeclared',
  BindingAccess: 'binding-access',
  BindingKind: 'binding-kind',
  BindingGroup: 'binding-group',
  EntryPointMissing: 'entry-point-missing',
  WorkgroupSizeMismatch: 'workgroup-size-mismatch',
  WorkgroupSizeLimit: 'workgroup-size-limit',
} as const;
export type CustomKernelReason = (typeof CustomKernelReason)[keyof typeof CustomKernelReason];

/** WebGPU's default limits; workers request exactly these, so every worker accepts the same kernels. */
const DEFAULT_LIMITS = { invocations: 256, x: 256, y: 256, z: 64 } as const;

export interface ScannedBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  /** The text between `var<` and `>`, e.g. `storage, read`; empty for textures and samplers. */
  readonly template: string;
  readonly line: number;
  readonly column: number;
}

export function compileError(
  reason: CustomKernelReason,
  message: string,
  details: Record<string, unknown> = {},
): WorkerTaskError {
  return new WorkerTaskError(ErrorCode.KernelCompileFailed, message, { reason, ...details });
}

/** Blanks comments (nested block comments too) while keeping every offset and line number. */
export function stripComments(src: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const two = src.slice(i, i + 2);
    if (depth === 0 && two === '//') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
      if (i < src.length) out += '\n';
    } else if (two === '/*') {
      depth++;
      out += '  ';
      i++;
    } else if (depth > 0 && two === '*/') {
      depth--;
      out += '  ';
      i++;
    } else {
      out += depth > 0 && src[i] !== '\n' ? ' ' : src[i];
    }
  }
  return out;
}

function position(src: string, index: number): { line: number; column: number } {
  const before = src.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

const ATTRS = String.raw`((?:@[A-Za-z_]\w*(?:\s*\([^)]*\))?\s*)+)`;
const attrInt = (attrs: string, name: string): number | null | undefined => {
  const m = new RegExp(String.raw`@${name}\s*\(\s*([^)]*?)\s*\)`).exec(attrs);
  if (m === null) return undefined;
  const lit = /^(\d+)[ui]?$/.exec(m[1] as string);
  return lit === null ? null : Number(lit[1]);
};

/** Every module-scope `var` that carries @group/@binding. */
export function scanBindings(wgsl: string): ScannedBinding[] {
  const src = stripComments(wgsl);
  const found: ScannedBinding[] = [];
  const re = new RegExp(String.raw`${ATTRS}var\s*(?:<([^>]*)>)?\s*([A-Za-z_]\w*)`, 'g');
  for (const m of src.matchAll(re)) {
    const attrs = m[1] as string;
    const group = attrInt(attrs, 'group');
    const binding = attrInt(attrs, 'binding');
    if (group === undefined && binding === undefined) continue;
    const pos = position(src, m.index + attrs.length);
    const name = m[3] as string;
    if (group === undefined || group === null || binding === undefined || binding === null) {
      throw compileError(
        CustomKernelReason.BindingGroup,
        `${name}: @group and @binding must both be integer literals`,
        pos,
      );
    }
    found.push({ group, binding, name, template: (m[2] ?? '').replace(/\s+/g, ''), ...pos });
  }
  return found;
}

/** Throws KernelCompileFailed (details.reason, line, column) when the shader and header disagree. */
export function validateCustomKernel(input: CustomInput): void {
  const { header } = input;
  const inputs = new Set(header.inputs.map((b) => b.binding));
  for (const b of scanBindings(header.wgsl)) {
    const where = { line: b.line, column: b.column, binding: b.binding };
    if (b.group !== 0) {
      throw compileError(CustomKernelReason.BindingGroup, `${b.name}: only @group(0) is bound`, where);
    }
    const isOutput = b.binding === header.output.binding;
    if (!inputs.has(b.binding) && !isOutput) {
      throw compileError(
        CustomKernelReason.BindingUndeclared,
        `${b.name}: @binding(${b.binding}) is not declared in inputs or output`,
        where,
      );
    }
    if (!b.template.startsWith('storage')) {
      throw compileError(
        CustomKernelReason.BindingKind,
        `${b.name}: only var<storage, ...> buffers are bound`,
        where,
      );
    }
    const access = b.template === 'storage' ? 'read' : b.template.slice('storage,'.length);
    const wanted = isOutput ? 'read_write' : 'read';
    if (access !== wanted) {
      throw compileError(
        CustomKernelReason.BindingAccess,
        `${b.name}: @binding(${b.binding}) must be var<storage, ${wanted}>`,
        where,
      );
    }
  }
  checkEntryPoint(header.wgsl, header.entryPoint, header.workgroupSize);
}

function checkEntryPoint(wgsl: string, entryPoint: string, declared: readonly number[]): void {
  const src = stripComments(wgsl);
  const re = new RegExp(String.raw`${ATTRS}fn\s+${entryPoint}\s*\(`);
  const m = re.exec(src);
  if (m === null || !/@compute\b/.test(m[1] as string)) {
    throw compileError(CustomKernelReason.EntryPointMissing, `no @compute fn ${entryPoint} in the shader`);
  }
  const pos = position(src, m.index);
  const size = /@workgroup_size\s*\(([^)]*)\)/.exec(m[1] as string);
  const parts = size?.[1]?.split(',').map((s) => s.trim()) ?? [];
  const literal = parts.map((p) => /^(\d+)[ui]?$/.exec(p)?.[1]);
  if (parts.length === 0 || literal.some((x) => x === undefined)) {
    throw compileError(
      CustomKernelReason.WorkgroupSizeMismatch,
      `${entryPoint}: @workgroup_size must be integer literals`,
      pos,
    );
  }
  const [x = 1, y = 1, z = 1] = literal.map(Number);
  const [dx = 1, dy = 1, dz = 1] = declared;
  if (x !== dx || y !== dy || z !== dz) {
    throw compileError(
      CustomKernelReason.WorkgroupSizeMismatch,
      `${entryPoint}: @workgroup_size(${x}, ${y}, ${z}) differs from the declared (${dx}, ${dy}, ${dz})`,
      pos,
    );
  }
  if (
    x > DEFAULT_LIMITS.x ||
    y > DEFAULT_LIMITS.y ||
    z > DEFAULT_LIMITS.z ||
    x * y * z > DEFAULT_LIMITS.invocations
  ) {
    throw compileError(
      CustomKernelReason.WorkgroupSizeLimit,
      `${entryPoint}: workgroup ${x}x${y}x${z} exceeds WebGPU's default limits (256 invocations, z <= 64)`,
      pos,
    );
  }
}
