/** Researcher WGSL: payload decoding and the GPU-free declaration checks. */
import { describe, expect, test } from 'bun:test';
import { ErrorCode, WorkerTaskError } from '../../protocol/errors.ts';
import {
  type CustomHeader,
  CustomKernelReason,
  decodeCustomPayload,
  encodeCustomPayload,
  scanBindings,
  stripComments,
  validateCustomKernel,
} from '../../shaders/custom/index.ts';
import { DOUBLE_WGSL } from './wgsl-fixtures.ts';

function header(overrides: Partial<CustomHeader> = {}): CustomHeader {
  return {
    wgsl: DOUBLE_WGSL,
    entryPoint: 'main',
    workgroupSize: [64],
    dispatch: [1],
    inputs: [{ binding: 0, byteLength: 16 }],
    output: { binding: 1, byteLength: 16 },
    ...overrides,
  };
}

function reasonOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkerTaskError);
    expect((err as WorkerTaskError).code).toBe(ErrorCode.KernelCompileFailed);
    return (err as WorkerTaskError).details?.reason;
  }
  throw new Error('expected KernelCompileFailed, nothing was thrown');
}

const validate = (h: CustomHeader): void => validateCustomKernel({ header: h, inputs: [new Uint8Array(16)] });

describe('custom payload', () => {
  test('round trip with inputs padded to 4 bytes', () => {
    const h = header({
      inputs: [
        { binding: 0, byteLength: 8 },
        { binding: 2, byteLength: 4 },
      ],
    });
    const inputs = [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), Uint8Array.from([9, 9, 9, 9])];
    const back = decodeCustomPayload(encodeCustomPayload({ header: h, inputs }));
    expect(back.header).toEqual(h);
    expect(back.inputs.map((b) => [...b])).toEqual(inputs.map((b) => [...b]));
  });

  const bad: [string, Partial<CustomHeader> | Record<string, unknown>][] = [
    ['empty wgsl', { wgsl: '' }],
    ['entry point that is not an identifier', { entryPoint: 'main()' }],
    ['workgroup size of 4 dimensions', { workgroupSize: [1, 1, 1, 1] }],
    ['dispatch over 65535', { dispatch: [65536] }],
    ['byteLength not a multiple of 4', { output: { binding: 1, byteLength: 6 } }],
    ['duplicate bindings', { inputs: [{ binding: 1, byteLength: 16 }] }],
    ['timeout over the cap', { timeoutMs: 10 ** 9 }],
  ];
  for (const [name, override] of bad) {
    test(`rejects ${name} with PreprocessFailed`, () => {
      const h = { ...header(), ...override } as CustomHeader;
      const payload = encodeCustomPayload({
        header: h,
        inputs: h.inputs.map((b) => new Uint8Array(b.byteLength)),
      });
      expect(() => decodeCustomPayload(payload)).toThrow(
        expect.objectContaining({ code: ErrorCode.PreprocessFailed }) as unknown as Error,
      );
    });
  }

  test('rejects a payload whose input bytes are missing', () => {
    const payload = encodeCustomPayload({ header: header(), inputs: [] });
    expect(() => decodeCustomPayload(payload)).toThrow(
      expect.objectContaining({ code: ErrorCode.PreprocessFailed }) as unknown as Error,
    );
  });
});

describe('declaration checks', () => {
  test('a matching shader passes', () => {
    expect(() => validate(header())).not.toThrow();
  });

  test('scanBindings reads group, binding, access and position, ignoring comments', () => {
    const src = `/* @group(0) @binding(9) var<uniform> ghost: u32; */\n${DOUBLE_WGSL}`;
    expect(scanBindings(src).map((b) => [b.group, b.binding, b.name, b.template, b.line])).toEqual([
      [0, 0, 'src', 'storage,read', 3],
      [0, 1, 'dst', 'storage,read_write', 4],
    ]);
    const src2 = 'a /* b /* c */ d */ e // f\ng';
    const stripped = stripComments(src2);
    expect(stripped.length).toBe(src2.length); // offsets (and so line/column) are preserved
    expect(stripped.split(/\s+/)).toEqual(['a', 'e', 'g']);
    expect(stripped.indexOf('\n')).toBe(src2.indexOf('\n'));
  });

  const mutations: [string, string, string, CustomKernelReason][] = [
    [
      'an undeclared binding',
      '@binding(1) var<storage, read_write>',
      '@binding(5) var<storage, read_write>',
      CustomKernelReason.BindingUndeclared,
    ],
    [
      'a writable input',
      'var<storage, read> src',
      'var<storage, read_write> src',
      CustomKernelReason.BindingAccess,
    ],
    [
      'a read-only output',
      'var<storage, read_write> dst',
      'var<storage, read> dst',
      CustomKernelReason.BindingAccess,
    ],
    [
      'a uniform binding',
      'var<storage, read> src: array<u32>',
      'var<uniform> src: vec4u',
      CustomKernelReason.BindingKind,
    ],
    ['another group', '@group(0) @binding(0)', '@group(1) @binding(0)', CustomKernelReason.BindingGroup],
    ['a non-literal binding', '@binding(0)', '@binding(B)', CustomKernelReason.BindingGroup],
    ['a missing entry point', 'fn main(', 'fn other(', CustomKernelReason.EntryPointMissing],
    [
      'a different workgroup size',
      '@workgroup_size(64)',
      '@workgroup_size(32, 2)',
      CustomKernelReason.WorkgroupSizeMismatch,
    ],
    [
      'an override workgroup size',
      '@workgroup_size(64)',
      '@workgroup_size(WG)',
      CustomKernelReason.WorkgroupSizeMismatch,
    ],
  ];
  for (const [name, from, to, reason] of mutations) {
    test(`rejects ${name} (${reason})`, () => {
      expect(DOUBLE_WGSL.includes(from)).toBe(true);
      expect(reasonOf(() => validate(header({ wgsl: DOUBLE_WGSL.replace(from, to) })))).toBe(reason);
    });
  }

  test('rejects a workgroup over the default limits', () => {
    const wgsl = DOUBLE_WGSL.replace('@workgroup_size(64)', '@workgroup_size(512)');
    expect(reasonOf(() => validate(header({ wgsl, workgroupSize: [512] })))).toBe(
      CustomKernelReason.WorkgroupSizeLimit,
    );
  });

  test('errors carry the line of the offending declaration', () => {
    try {
      validate(
        header({ wgsl: DOUBLE_WGSL.replace('var<storage, read> src', 'var<storage, read_write> src') }),
      );
    } catch (err) {
      expect((err as WorkerTaskError).details).toMatchObject({ line: 2, binding: 0 });
      return;
    }
    throw new Error('expected an error');
  });
});
