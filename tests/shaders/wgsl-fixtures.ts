/** Researcher WGSL shared by the custom-kernel tests. */

/** out[i] = in[i] * 2 + 1 over u32 words; the kernel the declaration checks mutate. */
export const DOUBLE_WGSL = `// doubles every word
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&src)) { dst[gid.x] = src[gid.x] * 2u + 1u; }
}
`;
