import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../api.ts';
import { agentFolderFiles, explainError } from './submitHelpers.ts';

/** A picked file as a folder picker reports it (the relative path is read-only on File). */
function picked(path: string): File {
  const file = new File(['x'], path.split('/').pop() ?? path);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('submit helpers', () => {
  it('sends the folder top-level files and leaves out hidden and nested ones', () => {
    const result = agentFolderFiles([
      picked('my-agent/agent.json'),
      picked('my-agent/model.json'),
      picked('my-agent/weights.bin'),
      picked('my-agent/.DS_Store'),
      picked('my-agent/runs/old.bin'),
    ]);
    expect(result.files.map((f) => f.name)).toEqual(['agent.json', 'model.json', 'weights.bin']);
    expect(result.skipped).toEqual(['my-agent/.DS_Store', 'my-agent/runs/old.bin']);
  });

  it('explains API errors in plain words and keeps the server message', () => {
    const explained = explainError(
      new ApiRequestError(422, 'AGENT_INVALID', 'model.json: layer Lambda is not allowed'),
    );
    expect(explained.title).toMatch(/did not pass the checks/);
    expect(explained.detail).toBe('model.json: layer Lambda is not allowed');
    expect(explainError(new ApiRequestError(0, 'NETWORK', 'down')).title).toMatch(
      /server is running/,
    );
    expect(explainError(new Error('boom'))).toEqual({
      title: 'Something went wrong.',
      detail: 'boom',
    });
  });
});
