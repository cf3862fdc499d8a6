/**
 * The ROM manifest: one JSON entry per game, facts only (RAM addresses and rules, never ROM
 * bytes). Validated with zod at load time so a bad entry fails with the path of the bad field.
 */
import { z } from 'zod';
import { buttonMaskOf } from '../actions.ts';

const address = z.number().int().min(0).max(0x7ff).describe('a work-RAM address, $0000-$07FF');

/**
 * A number stored in RAM: one or more bytes, most significant first when `endian` is big.
 * `binary`: plain bytes; `bcd`: two decimal digits a byte; `digits`: one decimal digit a byte.
 */
export const ramValueSchema = z.object({
  address: z.union([address, z.array(address).min(1).max(8)]),
  encoding: z.enum(['binary', 'bcd', 'digits']).default('binary'),
  endian: z.enum(['little', 'big']).default('little'),
  /** Multiplies the decoded value, e.g. 10 where the last on-screen digit is a constant 0. */
  scale: z.number().positive().default(1),
  /** Added after scaling, e.g. -1 where the game stores lives + 1. */
  offset: z.number().default(0),
});
export type RamValue = z.infer<typeof ramValueSchema>;

/** A RAM condition: `address` equals `equals` (after `mask`). */
export const ramConditionSchema = z.object({
  address,
  equals: z.number().int().min(0).max(255),
  mask: z.number().int().min(1).max(255).default(255),
});
export type RamCondition = z.infer<typeof ramConditionSchema>;

const actionName = z.string().superRefine((name, ctx) => {
  try {
    buttonMaskOf(name);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** One step of the way from power-on to play. */
export const bootStepSchema = z.union([
  z.object({ wait: z.number().int().min(0).max(100_000) }).strict(),
  z
    .object({
      press: z.array(z.enum(['A', 'B', 'SELECT', 'START', 'UP', 'DOWN', 'LEFT', 'RIGHT'])).min(1),
      frames: z.number().int().min(1).max(600).default(1),
      controller: z.union([z.literal(1), z.literal(2)]).default(1),
    })
    .strict(),
  z
    .object({
      /** Writes the episode's seed (`seed`), a setting's value (`setting:NAME`) or a constant. */
      poke: address,
      value: z.union([
        z.number().int().min(0).max(255),
        z.literal('seedLow'),
        z.literal('seedHigh'),
        z.string().regex(/^setting:\w+$/),
      ]),
    })
    .strict(),
  z
    .object({ waitUntil: ramConditionSchema, maxFrames: z.number().int().min(1).max(100_000) })
    .strict(),
]);
export type BootStep = z.infer<typeof bootStepSchema>;

const byte = z.number().int().min(0).max(255);

/**
 * The second player's view of RAM, as if it played on the left: a RAM-reading agent written for
 * controller 1 then plays controller 2 unchanged. Applied in this order to a copy of RAM.
 */
export const ramMirrorSchema = z
  .object({
    /** Pairs of addresses whose bytes trade places (the two scores, the two paddles). */
    swap: z.array(z.tuple([address, address])).default([]),
    /** Horizontal positions of objects `width` pixels wide: x becomes 256 - width - x. */
    reflectX: z.array(z.object({ address, width: z.number().int().min(1).max(256) })).default([]),
    /** Signed 16-bit values (low byte, high byte) that change sign: horizontal velocities. */
    negate16: z.array(z.object({ low: address, high: address })).default([]),
    /** Byte values that trade places at an address, e.g. the winner 1 <-> 2. */
    swapValues: z.array(z.object({ address, values: z.tuple([byte, byte]) })).default([]),
  })
  .strict();
export type RamMirror = z.infer<typeof ramMirrorSchema>;

const baselineSchema = z.object({
  agent: z.string(),
  episodes: z.number().int().positive(),
  /** Episode i is seeded `seedStart + i`. */
  seedStart: z.number().int().min(0),
  mean: z.number(),
  std: z.number().min(0),
  median: z.number(),
  min: z.number(),
  max: z.number(),
  /** Extra conditions, e.g. the computer opponent's level. */
  settings: z.record(z.string(), z.string()).optional(),
  /** Every episode's score in seed order, so the baseline can be checked exactly. */
  scores: z.array(z.number()),
  /** Every episode's length in frames, in seed order. */
  frames: z.array(z.number().int()),
});
export type Baseline = z.infer<typeof baselineSchema>;

const settingSchema = z.object({
  description: z.string(),
  values: z.record(z.string(), z.number().int().min(0).max(255)),
  default: z.string(),
});

export const manifestEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    licence: z.string().min(1),
    sha1: z.string().regex(/^[0-9a-f]{40}$/, 'the ROM file SHA-1 as 40 lower-case hex digits'),
    /** Path of a ROM that ships with the project, relative to the repository root. */
    bundledRom: z.string().optional(),
    /** false where the entry was written from public RAM maps without a ROM at hand. */
    verified: z.boolean(),
    notes: z.string().optional(),
    /** Controllers the game reads: 2 for head-to-head games. */
    players: z.union([z.literal(1), z.literal(2)]).default(1),
    ram: z.object({
      score: ramValueSchema,
      /** The second player's (or the computer opponent's) score, for two-player games. */
      opponentScore: ramValueSchema.optional(),
      lives: ramValueSchema.optional(),
      gameOver: ramConditionSchema,
      /** Where the game reads its per-episode seed (two bytes, low first), if it reads one. */
      seed: address.optional(),
      /** Named positions a scripted agent reads, e.g. ballX. */
      positions: z.record(z.string(), address).default({}),
      /** How the second player's mirrored view of RAM is made (two-player games). */
      mirror: ramMirrorSchema.optional(),
    }),
    /** Reward per step: the change in score (`score`), or in score minus opponent score. */
    reward: z.enum(['score', 'scoreDifference']).default('score'),
    boot: z.array(bootStepSchema).min(1),
    settings: z.record(z.string(), settingSchema).default({}),
    actions: z.array(actionName).min(2),
    baselines: z.record(z.string(), baselineSchema).default({}),
  })
  .strict();

export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
export type ManifestEntryInput = z.input<typeof manifestEntrySchema>;
