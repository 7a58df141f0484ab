/** A missing or malformed setting: its message is one line naming the setting (and never its value if secret). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
