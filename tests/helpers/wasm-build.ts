/**
 * The rebuild checks every committed .wasm gets: `<crate>/build.sh --check` must reproduce it byte
 * for byte with Debian's rustc 1.63 toolchain. Outside CI a missing toolchain skips with the reason
 * printed; under CI (which installs it) a skip would hide a broken setup, so it fails instead.
 */
import { expect, test } from 'bun:test';
import { existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;

function missingToolchain(): string | undefined {
  if (!existsSync('/usr/bin/rustc')) return '/usr/bin/rustc is not installed';
  if (!existsSync('/usr/bin/cargo')) return '/usr/bin/cargo is not installed';
  const sysroot = Bun.spawnSync(['/usr/bin/rustc', '--print', 'sysroot']).stdout.toString().trim();
  if (!existsSync(`${sysroot}/lib/rustlib/wasm32-unknown-unknown/lib`))
    return 'the wasm32 std is not installed';
  if (!existsSync('/usr/bin/rust-lld')) return 'rust-lld (Debian lld) is not installed';
  return undefined;
}

/** Registers the toolchain, byte-for-byte rebuild and usage tests of `crate` (a folder at the root). */
export function wasmBuildTests(crate: string, what: string, timeoutMs = 120_000): void {
  const skipReason = missingToolchain();
  if (skipReason !== undefined) {
    console.warn(`[${crate}] SKIPPED rebuild check: ${skipReason} (CI installs it)`);
  }

  test.if(process.env.CI === 'true')('the Debian wasm toolchain is present under CI', () => {
    expect(skipReason).toBeUndefined();
  });

  test.skipIf(skipReason !== undefined)(
    `build.sh --check rebuilds ${what} byte for byte`,
    () => {
      const result = Bun.spawnSync(['bash', `${crate}/build.sh`, '--check'], { cwd: root });
      const output = `${result.stdout.toString()}${result.stderr.toString()}`;
      expect(output).toContain('ok:');
      expect(result.exitCode).toBe(0);
    },
    timeoutMs,
  );

  test('build.sh refuses unknown arguments', () => {
    const result = Bun.spawnSync(['bash', `${crate}/build.sh`, '--bogus'], { cwd: root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString()).toContain('usage');
  });
}
