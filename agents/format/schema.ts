/**
 * The submitted agent folder: what it holds, the `agent.json` schema, and the limits the arena
 * enforces on it.
 *
 *   agent.json           metadata (schema below)
 *   model.json           a TF.js layers model (topology + weightsManifest)
 *   *.bin                the weight files model.json lists, nothing else
 *   training-log.jsonl   optional: the training run's log (`arena plot` reads it)
 *   README.md            optional: a description for people
 *
 * A model file must never run code: only the stock layer types in `ALLOWED_LAYERS` are accepted,
 * with built-in activations, so a topology is data and not a program.
 */
import { z } from 'zod';

export const AGENT_FORMAT_VERSION = 1;

/** Size limits, in bytes. The Nature network with 18 actions is about 6.7 MB of float32 weights. */
export const LIMITS = {
  agentJson: 64 * 1024,
  modelJson: 1024 * 1024,
  weightsTotal: 64 * 1024 * 1024,
  trainingLog: 16 * 1024 * 1024,
  readme: 64 * 1024,
  files: 32,
} as const;

export const OPTIONAL_FILES = ['training-log.jsonl', 'README.md'] as const;

/** Layer classes a submitted model may use: all are fixed tensor maps without user code. */
export const ALLOWED_LAYERS: ReadonlySet<string> = new Set([
  'InputLayer',
  'Rescaling',
  'Conv2D',
  'Dense',
  'Flatten',
  'Reshape',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'Concatenate',
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Maximum',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Dropout',
  'BatchNormalization',
  'LayerNormalization',
  'ZeroPadding2D',
  'Permute',
]);

/** Activation names a layer config may refer to. */
export const ALLOWED_ACTIVATIONS: ReadonlySet<string> = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hard_sigmoid',
  'softmax',
  'softplus',
  'softsign',
  'swish',
  'gelu',
  'mish',
]);

/** Where `agent.json` says the observation comes from; the arena feeds exactly this. */
export const observationSchema = z
  .object({
    /** Frames per observation, oldest first. */
    frameStack: z.literal(4),
    height: z.literal(84),
    width: z.literal(84),
    /** Input tensor layout the model takes; the arena converts its CHW stacks to it. */
    layout: z.literal('NHWC'),
    /** Pixel values: grayscale 0..255 fed as float32; scaling happens inside the model. */
    pixels: z.literal('grayscale-0-255'),
    frameSkip: z.number().int().min(1).max(32),
  })
  .strict();

export const agentMetaSchema = z
  .object({
    formatVersion: z.literal(AGENT_FORMAT_VERSION),
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w .-]+$/, 'letters, digits, spaces, dots, dashes, underscores'),
    game: z.string().min(1).max(64),
    /** The action set the model's outputs stand for, in output order. */
    actions: z.array(z.string().min(1)).min(1).max(64),
    observation: observationSchema,
    network: z
      .object({
        kind: z.string().min(1).max(64),
        dueling: z.boolean(),
        parameters: z.number().int().min(0),
      })
      .strict(),
    training: z
      .object({
        algorithm: z.string().min(1).max(64),
        steps: z.number().int().min(0),
        frames: z.number().int().min(0),
        seed: z.number().int().optional(),
        runId: z.string().max(256).optional(),
        config: z.record(z.string(), z.unknown()).optional(),
        /** How the trainer chose this agent among its periodic evaluations, when it did. */
        selection: z
          .object({
            rule: z.literal('best-eval-mean'),
            evalStep: z.number().int().min(0),
            evalMean: z.number(),
            evalEpisodes: z.number().int().min(1),
          })
          .strict()
          .optional(),
        /**
         * Set when the weights are the run's exponential moving average of its online network's
         * (decay per gradient step, over `updates` gradient steps) rather than the network itself.
         */
        weightAverage: z
          .object({ decay: z.number().gt(0).lt(1), updates: z.number().int().min(0) })
          .strict()
          .optional(),
      })
      .strict(),
    backend: z.string().min(1).max(64),
    /** Package versions the agent was made with, e.g. { "@tensorflow/tfjs": "4.22.0" }. */
    versions: z.record(z.string(), z.string()),
    /** SPDX identifier of the agent's licence, e.g. MIT or CC-BY-4.0. */
    licence: z.string().min(1).max(64),
    createdAt: z.string().optional(),
  })
  .strict();

export type AgentMeta = z.infer<typeof agentMetaSchema>;
