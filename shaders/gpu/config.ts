/**
 * Defaults and environment variables for the headless (Dawn) GPU host, read in one place.
 *
 *   SHARDMESH_GPU=off                 never create a GPU context (forces the CPU reference path)
 *   SHARDMESH_SWIFTSHADER_ICD=<path>  SwiftShader ICD json to use when no Vulkan driver is set up
 *   VK_ICD_FILENAMES / VK_DRIVER_FILES / VK_ADD_DRIVER_FILES
 *                                     an explicitly configured Vulkan driver always wins
 */
export interface DawnGpuConfig {
  readonly disabled: boolean;
  /** Candidate SwiftShader ICD manifests, first existing one wins. */
  readonly swiftshaderIcds: readonly string[];
  /** True when the user already chose a Vulkan driver through the loader's own variables. */
  readonly driverConfigured: boolean;
  /** Where the Vulkan loader looks for installed drivers (a json there means a driver exists). */
  readonly icdDirs: readonly string[];
}

const DEFAULT_SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

export function readDawnGpuConfig(env: Record<string, string | undefined> = process.env): DawnGpuConfig {
  const explicitIcd = env.SHARDMESH_SWIFTSHADER_ICD;
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter((d) => d !== '');
  const home = env.XDG_DATA_HOME ?? (env.HOME === undefined ? undefined : `${env.HOME}/.local/share`);
  return {
    disabled: env.SHARDMESH_GPU === 'off',
    swiftshaderIcds: explicitIcd === undefined ? DEFAULT_SWIFTSHADER_ICDS : [explicitIcd],
    driverConfigured: [env.VK_ICD_FILENAMES, env.VK_DRIVER_FILES, env.VK_ADD_DRIVER_FILES].some(
      (v) => v !== undefined && v !== '',
    ),
    icdDirs: [
      '/etc/vulkan/icd.d',
      ...dataDirs.map((d) => `${d}/vulkan/icd.d`),
      ...(home === undefined ? [] : [`${home}/vulkan/icd.d`]),
    ],
  };
}
