import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../emulators/errors.ts';
import { type DqnConfigInput, parseDqnConfig } from './config.ts';
import { loadRecipe, RECIPES_DIR, recipeNames, withOverrides } from './recipe.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-recipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a recipe file and returns its path. */
const recipeFile = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/** The UserError `fn` throws (the test fails when it throws none or another error). */
const userError = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
};

describe('training recipes', () => {
  it('names the files in agents/dqn/recipes', () => {
    expect(recipeNames()).toEqual(expect.arrayContaining(['brick', 'duel']));
    expect(loadRecipe('brick').path).toBe(join(RECIPES_DIR, 'brick.json'));
  });

  it.each([
    ['brick', 'brick-dqn'],
    ['duel', 'duel-dqn'],
  ])('%s is the recorded config of the bundled agent %s', (name, folder) => {
    const recorded = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'bundled', folder, 'agent.json'), 'utf8'),
    ).training.config as Record<string, unknown>;
    // Where a run keeps its folders is not part of how it trains.
    const { runsDir: _runsDir, ...options } = recorded;
    // Options added since the run are left out of its record and took their defaults.
    expect(parseDqnConfig(loadRecipe(name).config)).toEqual(
      parseDqnConfig(options as DqnConfigInput),
    );
  });

  it('keeps only the options the file sets, checked by the config schema', () => {
    const recipe = loadRecipe(
      recipeFile('mine.json', { description: 'a test', nStep: 3, settings: { level: 'x1' } }),
    );
    expect(recipe).toMatchObject({ name: 'mine', description: 'a test' });
    expect(recipe.config).toEqual({ nStep: 3, settings: { level: 'x1' } });
    // Every config option is a recipe option.
    const all = parseDqnConfig();
    expect(loadRecipe(recipeFile('all.json', all)).config).toEqual(all);
  });

  it('refuses unknown names, unknown options, bad values and broken files with clear errors', () => {
    const unknown = userError(() => loadRecipe('no-such-recipe'));
    expect(unknown.code).toBe('UNKNOWN_RECIPE');
    expect(unknown.message).toContain('no recipe named "no-such-recipe"; known: brick');
    expect(userError(() => loadRecipe('../brick')).code).toBe('UNKNOWN_RECIPE');
    expect(userError(() => loadRecipe(join(dir, 'absent.json'))).code).toBe('UNKNOWN_RECIPE');

    const misspelt = userError(() => loadRecipe(recipeFile('typo.json', { nSteps: 3 })));
    expect(misspelt.code).toBe('BAD_RECIPE');
    expect(misspelt.message).toContain('nSteps');
    const badValue = userError(() => loadRecipe(recipeFile('bad.json', { nStep: 'three' })));
    expect(badValue.code).toBe('BAD_RECIPE');
    expect(badValue.message).toMatch(/bad recipe .*bad\.json: nStep: /);
    const range = userError(() => loadRecipe(recipeFile('range.json', { gamma: 2 })));
    expect(range.message).toContain('gamma');
    const rule = userError(() =>
      loadRecipe(recipeFile('rule.json', { startEpsilon: 0.1, endEpsilon: 0.5 })),
    );
    expect(rule.message).toContain('endEpsilon must not exceed startEpsilon');
    const broken = userError(() => loadRecipe(recipeFile('broken.json', '{"nStep": 3')));
    expect(broken.code).toBe('BAD_RECIPE');
    expect(broken.message).toContain('is not JSON');
    expect(userError(() => loadRecipe(recipeFile('list.json', [1, 2]))).code).toBe('BAD_RECIPE');
  });

  it('lets overrides replace its values and combines game settings by name', () => {
    const recipe = loadRecipe(
      recipeFile('base.json', { nStep: 3, learningRate: 0.001, settings: { a: 'x', b: 'y' } }),
    );
    const config = withOverrides(recipe, {
      learningRate: 0.002,
      munchausen: false,
      gamma: undefined,
      settings: { b: 'z' },
    });
    expect(config).toEqual({
      nStep: 3,
      learningRate: 0.002,
      munchausen: false,
      settings: { a: 'x', b: 'z' },
    });
    // The recipe itself is left as it was.
    expect(recipe.config).toEqual({ nStep: 3, learningRate: 0.001, settings: { a: 'x', b: 'y' } });
  });
});
