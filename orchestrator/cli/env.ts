/** An environment for a child process or an execve: the variables that have a value. */
export function definedEnv(vars: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}
