/**
 * Training recipes: named JSON files of DQN options (`arena train --recipe NAME`), so the options
 * an agent was trained with are written once, in `recipes/NAME.json`, and read by the CLI and the
 * learning benchmark alike. A recipe holds options of the config schema (config.ts) by their
 * config names, plus an optional `description`; the options it leaves out keep their defaults.
 * docs/training.md lists the recipes and what each made.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../emulators/errors.ts';
import { type DqnConfigInput, dqnConfigSchema, parseDqnConfig } from './config.ts';

/** The folder of the named recipes. */
export const RECIPES_DIR = join(import.meta.dirname, 'recipes');

/**
 * A recipe file: the config schema's options, each optional and checked as the CLI flag is,
 * unknown names refused (a misspelt option must not fall back to its default unnoticed).
 */
export const recipeSchema = dqnConfigSchema
  .partial()
  .extend({ description: z.string().optional().describe('what the recipe is for') })
  .strict();

export interface Recipe {
  /** The name it was asked by, or the file's name without `.json`. */
  name: string;
  path: string;
  description?: string;
  /** The options the file sets, and only those (no defaults filled in). */
  config: DqnConfigInput;
}

/** The names `loadRecipe` accepts without a path: the files in RECIPES_DIR. */
export function recipeNames(): string[] {
  return readdirSync(RECIPES_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/**
 * Reads a recipe by name (`brick`: RECIPES_DIR/brick.json) or by path (anything with a slash or
 * ending in `.json`). Bad files raise a UserError naming the file and the options at fault.
 */
export function loadRecipe(nameOrPath: string): Recipe {
  const isPath =
    nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  if (!isPath && !/^[\w-]+$/.test(nameOrPath)) {
    throw new UserError(`bad recipe name "${nameOrPath}"`, 'UNKNOWN_RECIPE');
  }
  const path = isPath ? resolve(nameOrPath) : join(RECIPES_DIR, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    throw new UserError(
      isPath
        ? `no recipe file ${nameOrPath}`
        : `no recipe named "${nameOrPath}"; known: ${recipeNames().join(', ')} (or give a path to a .json file)`,
      'UNKNOWN_RECIPE',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`recipe ${path} is not JSON: ${(error as Error).message}`, 'BAD_RECIPE');
  }
  const parsed = recipeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'recipe'}: ${i.message}`)
      .join('; ');
    throw new UserError(`bad recipe ${path}: ${problems}`, 'BAD_RECIPE');
  }
  // The partial schema fills in every default; keep the options the file names, so flags and
  // defaults apply to the rest as if the recipe's options had been typed on the command line.
  const given = json as Record<string, unknown>;
  const { description, ...options } = parsed.data;
  const config = Object.fromEntries(
    Object.entries(options).filter(([key]) => key in given),
  ) as DqnConfigInput;
  // Rules across options (endEpsilon <= startEpsilon) hold for the recipe on its own too.
  try {
    parseDqnConfig(config);
  } catch (error) {
    throw new UserError(`bad recipe ${path}: ${(error as Error).message}`, 'BAD_RECIPE');
  }
  const name = isPath ? basename(path).replace(/\.json$/, '') : nameOrPath;
  return { name, path, ...(description === undefined ? {} : { description }), config };
}

/**
 * The config of a run made with `recipe` and `overrides` (the flags typed beside it): each
 * override replaces the recipe's value; game settings combine by name, the override winning.
 */
export function withOverrides(recipe: Recipe, overrides: DqnConfigInput): DqnConfigInput {
  const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
  const config: DqnConfigInput = { ...recipe.config, ...Object.fromEntries(given) };
  if (recipe.config.settings && overrides.settings) {
    config.settings = { ...recipe.config.settings, ...overrides.settings };
  }
  return config;
}
