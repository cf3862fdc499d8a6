/** Option parsers shared by the CLI commands: each turns a bad value into a clear UserError. */
import { InvalidArgumentError } from 'commander';

export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function numberOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

/** Collects repeated `--setting name=value` options into an object. */
export function settingOption(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const match = /^(\w+)=(\w+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected NAME=VALUE, got "${value}"`);
  return { ...previous, [match[1]]: match[2] };
}
